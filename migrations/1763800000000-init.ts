import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Baseline: the app role may use what the owner creates in our schema from now on. */
export class Init1763800000000 implements MigrationInterface {
  name = 'Init1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('tessera.app_role', true), ''), 'tessera_app');
      BEGIN
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA tessera GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', app);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA tessera GRANT USAGE, SELECT ON SEQUENCES TO %I', app);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('tessera.app_role', true), ''), 'tessera_app');
      BEGIN
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA tessera REVOKE ALL ON TABLES FROM %I', app);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA tessera REVOKE ALL ON SEQUENCES FROM %I', app);
      END $$`);
  }
}
