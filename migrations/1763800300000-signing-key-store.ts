import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The database key store (docs/keys.md). signing_keys stays global (one ring signs for every
 * tenant), so it has no tenant policy; instead:
 *   - max_exp: the latest exp of a token signed beyond ACCESS_TOKEN_TTL (CLI mints up to 24 h),
 *     so a retiring key stays published until that token has expired;
 *   - at most one row is stored as active (the stored status is a cache of the schedule, and
 *     writers go through one advisory lock: this index is the belt);
 *   - the app role (which the server and the CLI both use) may insert keys and move the
 *     lifecycle columns, but never rewrite a key's kid, material or creation time, nor delete
 *     one. A row it could write without KEY_ENCRYPTION_SECRET would not decrypt (the kid is
 *     the AEAD's associated data), so it cannot plant a key either.
 * The SQL is inlined: a migration must not change after it shipped.
 */
const UP: string[] = [
  `ALTER TABLE tessera.signing_keys ADD COLUMN max_exp timestamptz`,
  `ALTER TABLE tessera.signing_keys ADD CONSTRAINT signing_keys_alg_check
     CHECK (alg IN ('RS256', 'ES256', 'EdDSA'))`,
  `CREATE UNIQUE INDEX signing_keys_one_active ON tessera.signing_keys ((true)) WHERE status = 'active'`,
  `DO $$
   DECLARE app text := coalesce(nullif(current_setting('tessera.app_role', true), ''), 'tessera_app');
   BEGIN
     EXECUTE format('REVOKE UPDATE, DELETE ON tessera.signing_keys FROM %I', app);
     EXECUTE format('GRANT UPDATE (status, activated_at, retired_at, max_exp) ON tessera.signing_keys TO %I', app);
   END $$`,
];

const DOWN: string[] = [
  `DO $$
   DECLARE app text := coalesce(nullif(current_setting('tessera.app_role', true), ''), 'tessera_app');
   BEGIN
     EXECUTE format('REVOKE UPDATE (status, activated_at, retired_at, max_exp) ON tessera.signing_keys FROM %I', app);
     EXECUTE format('GRANT UPDATE, DELETE ON tessera.signing_keys TO %I', app);
   END $$`,
  `DROP INDEX IF EXISTS tessera.signing_keys_one_active`,
  `ALTER TABLE tessera.signing_keys DROP CONSTRAINT IF EXISTS signing_keys_alg_check`,
  `ALTER TABLE tessera.signing_keys DROP COLUMN IF EXISTS max_exp`,
];

export class SigningKeyStore1763800300000 implements MigrationInterface {
  name = 'SigningKeyStore1763800300000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of UP) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of DOWN) await q.query(sql);
  }
}
