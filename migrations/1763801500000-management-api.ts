import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The management API (docs/management-api.md):
 *   - tenants.platform marks the one tenant whose clients may hold `tessera:platform` (created
 *     by `admin client create`); a partial unique index keeps it to one row. No tenant can set
 *     it over the API: the column is written only by the CLI's platform path.
 *   - idempotency_keys remembers the first answer to a create sent with an Idempotency-Key,
 *     per tenant (the caller's `org`) and actor, so a retry returns it instead of a duplicate.
 *     The row is inserted first (claiming the key, so concurrent retries cannot both create),
 *     then completed with the response; never a secret (a replay omits it).
 *   - exchange_mappings: a trusted issuer's rules for token exchange (docs/token-exchange.md);
 *     they point at (tenant_id, trusted_issuer_id) and go with their issuer.
 * Row-level security exactly as in the tenancy migration. The SQL is inlined: a migration must
 * not change after it shipped.
 */
const TENANT = `NULLIF(current_setting('app.tenant_id', true), '')`;
const CROSS = `current_setting('app.cross_tenant', true) = 'on'`;
const OWN = `tenant_id = ${TENANT}`;

const UP: string[] = [
  `ALTER TABLE tessera.tenants ADD COLUMN platform boolean NOT NULL DEFAULT false`,
  `CREATE UNIQUE INDEX tenants_one_platform ON tessera.tenants (platform) WHERE platform`,
  `CREATE TABLE tessera.idempotency_keys (
     tenant_id text NOT NULL REFERENCES tessera.tenants (id),
     actor text NOT NULL CHECK (char_length(actor) BETWEEN 1 AND 200),
     key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
     request_hash text NOT NULL,
     status integer,
     response jsonb,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, actor, key)
   )`,
  `CREATE INDEX idempotency_keys_created_idx ON tessera.idempotency_keys (created_at)`,
  `ALTER TABLE tessera.idempotency_keys ENABLE ROW LEVEL SECURITY`,
  `ALTER TABLE tessera.idempotency_keys FORCE ROW LEVEL SECURITY`,
  `CREATE POLICY tenant_isolation ON tessera.idempotency_keys USING (${OWN}) WITH CHECK (${OWN})`,
  `CREATE POLICY cross_tenant ON tessera.idempotency_keys USING (${CROSS}) WITH CHECK (${CROSS})`,
  `CREATE TABLE tessera.exchange_mappings (
     id text PRIMARY KEY CHECK (id ~ '^xm_[0-9a-z]{26}$'),
     tenant_id text NOT NULL,
     trusted_issuer_id text NOT NULL,
     priority integer NOT NULL DEFAULT 100 CHECK (priority BETWEEN 0 AND 10000),
     match jsonb NOT NULL,
     scopes text[] NOT NULL DEFAULT '{}',
     role text CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
     claims jsonb NOT NULL DEFAULT '{}',
     resources text[] NOT NULL DEFAULT '{}',
     created_at timestamptz NOT NULL DEFAULT now(),
     FOREIGN KEY (tenant_id, trusted_issuer_id)
       REFERENCES tessera.trusted_issuers (tenant_id, id) ON DELETE CASCADE
   )`,
  `CREATE INDEX exchange_mappings_issuer_idx
     ON tessera.exchange_mappings (tenant_id, trusted_issuer_id, priority, id)`,
  `ALTER TABLE tessera.exchange_mappings ENABLE ROW LEVEL SECURITY`,
  `ALTER TABLE tessera.exchange_mappings FORCE ROW LEVEL SECURITY`,
  `CREATE POLICY tenant_isolation ON tessera.exchange_mappings USING (${OWN}) WITH CHECK (${OWN})`,
  `CREATE POLICY cross_tenant ON tessera.exchange_mappings USING (${CROSS}) WITH CHECK (${CROSS})`,
];

export class ManagementApi1763801500000 implements MigrationInterface {
  name = 'ManagementApi1763801500000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of UP) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tessera.exchange_mappings`);
    await q.query(`DROP TABLE IF EXISTS tessera.idempotency_keys`);
    await q.query(`DROP INDEX IF EXISTS tessera.tenants_one_platform`);
    await q.query(`ALTER TABLE tessera.tenants DROP COLUMN IF EXISTS platform`);
  }
}
