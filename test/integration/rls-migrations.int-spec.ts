import { Client } from 'pg';
import { runCli } from '@tessera/testing/cli-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { MIGRATIONS } from '../../migrations';

/** Every registered migration, in order: a new one needs no edit here. */
const MIGRATION_NAMES = MIGRATIONS.map((M) => new M().name);

describe('RLS belt › migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db?.drop());

  it('three `migrate` processes started at once apply each migration exactly once', async () => {
    const env = {
      NODE_ENV: 'production',
      ISSUER: 'https://tessera.example',
      DATABASE_URL: db.appUrl,
      DATABASE_ADMIN_URL: db.ownerUrl,
    };
    const runs = await Promise.all([1, 2, 3].map(() => runCli(env, 'migrate', '--json')));
    for (const r of runs)
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const applied = runs.flatMap((r) => r.json<{ applied: string[] }>().applied);
    expect(applied.sort()).toEqual(MIGRATION_NAMES.slice().sort());
    // And the database agrees: one row per migration.
    const c = new Client({ connectionString: db.ownerUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ name: string; n: number }>(
        `SELECT name, count(*)::int AS n FROM tessera.migrations GROUP BY name`,
      );
      expect(rows.map((r) => r.name).sort()).toEqual(MIGRATION_NAMES.slice().sort());
      expect(rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      await c.end();
    }
  }, 60_000);
});
