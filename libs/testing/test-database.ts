import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { provisionDatabase } from '@tessera/infrastructure/postgres/provision';
import { runMigrations } from '@tessera/infrastructure/postgres/data-source';

export interface TestDatabase {
  name: string;
  superuserUrl: string;
  ownerUrl: string;
  appUrl: string;
  drop(): Promise<void>;
}

/** Same names on every run: roles are cluster-wide, and every test database shares them. */
const ROLES = {
  ownerRole: 'tessera_owner',
  ownerPassword: 'owner-test-pw',
  appRole: 'tessera_app',
  appPassword: 'app-test-pw',
};

export function superuserUrl(): string {
  const url = process.env.TEST_PG_SUPERUSER_URL;
  if (!url) throw new Error('TEST_PG_SUPERUSER_URL is unset: run tests through `npm test`');
  return url;
}

async function provisionWithRetry(url: string, name: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await provisionDatabase(url, { database: name, ...ROLES });
    } catch (e) {
      // Two workers may create the shared roles at once; the loser simply tries again.
      const code = (e as { code?: string }).code;
      if (attempt < 5 && (code === '23505' || code === '42710' || code === 'XX000')) continue;
      throw e;
    }
  }
}

/**
 * A fresh database, provisioned with both roles and migrated: one per test file. On the
 * suite's shared cluster unless `superuserUrl` names another (a test's own durable one).
 */
export async function createTestDatabase(
  opts: { migrate?: boolean; superuserUrl?: string } = {},
): Promise<TestDatabase> {
  const su = opts.superuserUrl ?? superuserUrl();
  const name = `t_${randomBytes(6).toString('hex')}`;
  const { ownerUrl, appUrl } = await provisionWithRetry(su, name);
  if (opts.migrate !== false) await runMigrations(ownerUrl);
  return {
    name,
    superuserUrl: su,
    ownerUrl,
    appUrl,
    drop: async () => {
      const c = new Client({ connectionString: su });
      await c.connect();
      try {
        await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A connected pg session at `url` (the caller ends it). */
export async function connectPg(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** A connected superuser session in this test database: to take locks or see what RLS hides. */
export function connectSuperuser(db: TestDatabase): Promise<Client> {
  const url = new URL(db.superuserUrl);
  url.pathname = `/${db.name}`;
  return connectPg(url.toString());
}
