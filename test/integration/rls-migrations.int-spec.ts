import { runMigrations } from '@tessera/infrastructure/postgres/data-source';
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
    expect(runs.flat().sort()).toEqual([
      'Init1763800000000',
      'SigningKeyStore1763800300000',
      'Tenancy1763800100000',
      'TrustedIssuers1763800200000',
    ]);
  });
});
