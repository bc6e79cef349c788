import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Tenancy data model. Every table with a tenant_id ships its row-level security here, in the
 * migration that creates it (a table must never exist without its policy):
 *   - ENABLE + FORCE, so even the owner is bound;
 *   - tenant_isolation: the row's tenant is the transaction's app.tenant_id; an unset or empty
 *     setting matches nothing (fail closed);
 *   - cross_tenant: admits any row only while app.cross_tenant = 'on', which only
 *     TenantTransactions.crossTenant sets, transaction-locally.
 * Unique and foreign keys are checked without RLS, so children of tenant-scoped parents point at
 * (tenant_id, parent) and can never reach another tenant's row.
 * The SQL is inlined, not imported: a migration must not change after it shipped.
 */
const TENANT = `NULLIF(current_setting('app.tenant_id', true), '')`;
const CROSS = `current_setting('app.cross_tenant', true) = 'on'`;

function secure(table: string, own: string): string[] {
  return [
    `ALTER TABLE tessera.${table} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE tessera.${table} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON tessera.${table} USING (${own}) WITH CHECK (${own})`,
    `CREATE POLICY cross_tenant ON tessera.${table} USING (${CROSS}) WITH CHECK (${CROSS})`,
  ];
}

const UP: string[] = [
  `CREATE TABLE tessera.tenants (
     id text PRIMARY KEY CHECK (id ~ '^org_[0-9a-z]{26}$'),
     slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
     name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
     status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  ...secure('tenants', `id = ${TENANT}`),

  // Global identities: written only on the cross-tenant path (sign-in comes before a tenant is
  // chosen); a tenant reads only the users that are its members.
  `CREATE TABLE tessera.users (
     id text PRIMARY KEY CHECK (id ~ '^user_[0-9a-z]{26}$'),
     issuer text NOT NULL CHECK (char_length(issuer) BETWEEN 1 AND 2048),
     subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
     email text CHECK (char_length(email) <= 320),
     name text CHECK (char_length(name) <= 256),
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (issuer, subject)
   )`,

  `CREATE TABLE tessera.memberships (
     id text PRIMARY KEY CHECK (id ~ '^mem_[0-9a-z]{26}$'),
     tenant_id text NOT NULL REFERENCES tessera.tenants (id),
     user_id text NOT NULL REFERENCES tessera.users (id) ON DELETE CASCADE,
     role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
     created_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (tenant_id, user_id)
   )`,
  `CREATE INDEX memberships_user_idx ON tessera.memberships (user_id)`,
  ...secure('memberships', `tenant_id = ${TENANT}`),

  `ALTER TABLE tessera.users ENABLE ROW LEVEL SECURITY`,
  `ALTER TABLE tessera.users FORCE ROW LEVEL SECURITY`,
  `CREATE POLICY tenant_members ON tessera.users FOR SELECT USING (EXISTS (
     SELECT 1 FROM tessera.memberships m WHERE m.user_id = users.id AND m.tenant_id = ${TENANT}))`,
  `CREATE POLICY cross_tenant ON tessera.users USING (${CROSS}) WITH CHECK (${CROSS})`,

  `CREATE TABLE tessera.clients (
     id text PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 128),
     tenant_id text NOT NULL REFERENCES tessera.tenants (id),
     name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
     secret_hash bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
     grants text[] NOT NULL DEFAULT '{}',
     scopes text[] NOT NULL DEFAULT '{}',
     status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
     created_at timestamptz NOT NULL DEFAULT now(),
     secret_rotated_at timestamptz,
     UNIQUE (tenant_id, id)
   )`,
  ...secure('clients', `tenant_id = ${TENANT}`),

  // client_id is deliberately not a foreign key: console sessions mint with a client_id that
  // is not a row. A token naming a user must belong to a member of the same tenant.
  `CREATE TABLE tessera.api_tokens (
     jti text PRIMARY KEY CHECK (char_length(jti) BETWEEN 1 AND 128),
     tenant_id text NOT NULL REFERENCES tessera.tenants (id),
     kind text NOT NULL CHECK (kind IN ('access', 'refresh')),
     subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
     client_id text NOT NULL,
     user_id text,
     name text CHECK (char_length(name) <= 200),
     scopes text[] NOT NULL DEFAULT '{}',
     family_id text,
     created_via text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     expires_at timestamptz NOT NULL,
     revoked_at timestamptz,
     UNIQUE (tenant_id, jti),
     FOREIGN KEY (tenant_id, user_id) REFERENCES tessera.memberships (tenant_id, user_id)
   )`,
  `CREATE INDEX api_tokens_user_idx ON tessera.api_tokens (tenant_id, user_id) WHERE user_id IS NOT NULL`,
  `CREATE INDEX api_tokens_family_idx ON tessera.api_tokens (tenant_id, family_id) WHERE family_id IS NOT NULL`,
  `CREATE INDEX api_tokens_expires_idx ON tessera.api_tokens (expires_at)`,
  ...secure('api_tokens', `tenant_id = ${TENANT}`),

  `CREATE TABLE tessera.token_denylist (
     jti text PRIMARY KEY CHECK (char_length(jti) BETWEEN 1 AND 128),
     tenant_id text NOT NULL REFERENCES tessera.tenants (id),
     expires_at timestamptz NOT NULL,
     reason text NOT NULL CHECK (char_length(reason) <= 200),
     created_at timestamptz NOT NULL DEFAULT now(),
     seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
     UNIQUE (tenant_id, jti)
   )`,
  `CREATE INDEX token_denylist_expires_idx ON tessera.token_denylist (expires_at)`,
  ...secure('token_denylist', `tenant_id = ${TENANT}`),

  `CREATE TABLE tessera.signing_keys (
     kid text PRIMARY KEY CHECK (char_length(kid) BETWEEN 1 AND 200),
     alg text NOT NULL,
     public_jwk jsonb NOT NULL,
     private_key_enc bytea,
     status text NOT NULL DEFAULT 'staged' CHECK (status IN ('staged', 'active', 'retiring', 'retired')),
     created_at timestamptz NOT NULL DEFAULT now(),
     activated_at timestamptz,
     retired_at timestamptz
   )`,

  // tenant_id NULL: a global event (key rotation), visible only on the cross-tenant path.
  `CREATE TABLE tessera.audit_events (
     id text PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 128),
     tenant_id text REFERENCES tessera.tenants (id),
     actor text NOT NULL,
     action text NOT NULL,
     target text,
     details jsonb NOT NULL DEFAULT '{}',
     request_id text,
     at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX audit_events_tenant_at_idx ON tessera.audit_events (tenant_id, at DESC)`,
  ...secure('audit_events', `tenant_id = ${TENANT}`),
  // The audit trail is append-only for the app.
  `DO $$
   DECLARE app text := coalesce(nullif(current_setting('tessera.app_role', true), ''), 'tessera_app');
   BEGIN
     EXECUTE format('REVOKE UPDATE, DELETE ON tessera.audit_events FROM %I', app);
   END $$`,
];

const TABLES = [
  'audit_events',
  'signing_keys',
  'token_denylist',
  'api_tokens',
  'clients',
  'memberships',
  'users',
  'tenants',
];

export class Tenancy1763800100000 implements MigrationInterface {
  name = 'Tenancy1763800100000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of UP) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of TABLES) await q.query(`DROP TABLE IF EXISTS tessera.${t}`);
  }
}
