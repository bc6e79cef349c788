import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * RFC 8693 token exchange: the external OIDC issuers a tenant trusts. A subject token is
 * verified only against the jwks_uri configured here, never against a URL the token names.
 * Row-level security exactly as in the tenancy migration (ENABLE + FORCE, fail closed on an
 * empty app.tenant_id, the transaction-local cross-tenant policy). The SQL is inlined: a
 * migration must not change after it shipped.
 */
const TENANT = `NULLIF(current_setting('app.tenant_id', true), '')`;
const CROSS = `current_setting('app.cross_tenant', true) = 'on'`;
const OWN = `tenant_id = ${TENANT}`;

const UP: string[] = [
  `CREATE TABLE tessera.trusted_issuers (
     id text PRIMARY KEY CHECK (id ~ '^tis_[0-9a-z]{26}$'),
     tenant_id text NOT NULL REFERENCES tessera.tenants (id),
     issuer text NOT NULL CHECK (char_length(issuer) BETWEEN 1 AND 2048),
     jwks_uri text NOT NULL CHECK (char_length(jwks_uri) BETWEEN 1 AND 2048),
     audience text NOT NULL CHECK (char_length(audience) BETWEEN 1 AND 255),
     subject_prefix text CHECK (char_length(subject_prefix) BETWEEN 1 AND 64),
     allowed_scopes text[] NOT NULL DEFAULT '{}',
     role text CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
     status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
     created_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (tenant_id, issuer),
     UNIQUE (tenant_id, id)
   )`,
  `ALTER TABLE tessera.trusted_issuers ENABLE ROW LEVEL SECURITY`,
  `ALTER TABLE tessera.trusted_issuers FORCE ROW LEVEL SECURITY`,
  `CREATE POLICY tenant_isolation ON tessera.trusted_issuers USING (${OWN}) WITH CHECK (${OWN})`,
  `CREATE POLICY cross_tenant ON tessera.trusted_issuers USING (${CROSS}) WITH CHECK (${CROSS})`,
];

export class TrustedIssuers1763800200000 implements MigrationInterface {
  name = 'TrustedIssuers1763800200000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of UP) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tessera.trusted_issuers`);
  }
}
