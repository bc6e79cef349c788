import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Per-tenant issuers (docs/tenant-issuers.md, ISSUER_MODE=tenant).
 *   - tenant_signing_keys: each tenant's keys, sealed like signing_keys (AES-256-GCM under
 *     KEY_ENCRYPTION_SECRET, kid and alg as associated data) with the same lifecycle columns;
 *     at most one row per tenant is stored active; the app role may insert and move only the
 *     lifecycle columns (revoked_reason is written once, by `keys revoke`). Tenant-scoped:
 *     RLS exactly as in the tenancy migration.
 *   - trust_anchor_keys: the platform key that attests every tenant key (global, one row in
 *     use). The app role may read and insert, never change or delete it.
 * The SQL is inlined: a migration must not change after it shipped.
 */
const TENANT = `NULLIF(current_setting('app.tenant_id', true), '')`;
const CROSS = `current_setting('app.cross_tenant', true) = 'on'`;
const OWN = `tenant_id = ${TENANT}`;
const APP = `coalesce(nullif(current_setting('tessera.app_role', true), ''), 'tessera_app')`;

const UP: string[] = [
  `CREATE TABLE tessera.tenant_signing_keys (
     tenant_id text NOT NULL REFERENCES tessera.tenants (id),
     kid text NOT NULL CHECK (char_length(kid) BETWEEN 1 AND 200),
     alg text NOT NULL CHECK (alg IN ('RS256', 'ES256', 'EdDSA')),
     public_jwk jsonb NOT NULL,
     private_key_enc bytea NOT NULL,
     status text NOT NULL DEFAULT 'staged' CHECK (status IN ('staged', 'active', 'retiring', 'retired')),
     created_at timestamptz NOT NULL DEFAULT now(),
     activated_at timestamptz,
     retired_at timestamptz,
     max_exp timestamptz,
     revoked_reason text CHECK (char_length(revoked_reason) BETWEEN 1 AND 200),
     PRIMARY KEY (tenant_id, kid)
   )`,
  `CREATE UNIQUE INDEX tenant_signing_keys_one_active
     ON tessera.tenant_signing_keys (tenant_id) WHERE status = 'active'`,
  // Each node's change poll: keys created or retired since its last look, across tenants.
  `CREATE INDEX tenant_signing_keys_created_idx ON tessera.tenant_signing_keys (created_at)`,
  `CREATE INDEX tenant_signing_keys_retired_idx ON tessera.tenant_signing_keys (retired_at)`,
  `ALTER TABLE tessera.tenant_signing_keys ENABLE ROW LEVEL SECURITY`,
  `ALTER TABLE tessera.tenant_signing_keys FORCE ROW LEVEL SECURITY`,
  `CREATE POLICY tenant_isolation ON tessera.tenant_signing_keys USING (${OWN}) WITH CHECK (${OWN})`,
  `CREATE POLICY cross_tenant ON tessera.tenant_signing_keys USING (${CROSS}) WITH CHECK (${CROSS})`,

  `CREATE TABLE tessera.trust_anchor_keys (
     kid text PRIMARY KEY CHECK (char_length(kid) BETWEEN 1 AND 200),
     alg text NOT NULL CHECK (alg = 'EdDSA'),
     public_jwk jsonb NOT NULL,
     private_key_enc bytea NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,

  `DO $$
   DECLARE app text := ${APP};
   BEGIN
     EXECUTE format('REVOKE UPDATE, DELETE ON tessera.tenant_signing_keys FROM %I', app);
     EXECUTE format('GRANT UPDATE (status, activated_at, retired_at, max_exp, revoked_reason) ON tessera.tenant_signing_keys TO %I', app);
     EXECUTE format('REVOKE UPDATE, DELETE ON tessera.trust_anchor_keys FROM %I', app);
   END $$`,
];

export class TenantIssuers1763801400000 implements MigrationInterface {
  name = 'TenantIssuers1763801400000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of UP) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tessera.trust_anchor_keys`);
    await q.query(`DROP TABLE IF EXISTS tessera.tenant_signing_keys`);
  }
}
