import { runMigrations } from '@tessera/infrastructure/postgres/data-source';
import { MIGRATIONS } from '../../migrations';

/** Every registered migration, in order: a new one needs no edit here. */
const MIGRATION_NAMES = MIGRATIONS.map((M) => new M().name);
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

describe('RLS belt › migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db?.drop());

  it('two processes migrating at once (a server and the CLI) apply each migration exactly once', async () => {
    const runs = await Promise.all([
      runMigrations(db.ownerUrl, db.appUrl),
      runMigrations(db.ownerUrl, db.appUrl),
      runMigrations(db.ownerUrl, db.appUrl),
    ]);
    expect(runs.flat().sort()).toEqual(MIGRATION_NAMES.slice().sort());
  });
});
