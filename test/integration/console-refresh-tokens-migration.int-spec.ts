import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { connectPg, createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { ConsoleRefreshTokens1763800750000 } from '../../migrations/1763800750000-console-refresh-tokens';

const TENANT = 'org_01jzz0000000000000000000aa';
const later = new Date(Date.now() + 3600_000);

/**
 * The migration that revokes session-minted (tessera-console) refresh records, run as the owner
 * against real Postgres with row-level security forced, as `migrate` runs it: one transaction.
 */
describe('migration › tessera-console refresh records revoked', () => {
  let db: TestDatabase;
  let owner: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    owner = await connectPg(db.ownerUrl);
  });
  afterAll(async () => {
    await owner?.end();
    await db?.drop();
  });

  const up = async () => {
    await owner.query('BEGIN');
    const q = { query: (sql: string) => owner.query(sql) } as unknown as QueryRunner;
    await new ConsoleRefreshTokens1763800750000().up(q);
    await owner.query('COMMIT');
  };
  const revoked = async () => {
    await owner.query('BEGIN');
    await owner.query(`SELECT set_config('app.cross_tenant', 'on', true)`);
    const { rows } = await owner.query<{ jti: string; revoked: boolean }>(
      `SELECT jti, revoked_at IS NOT NULL AS revoked FROM tessera.api_tokens ORDER BY jti`,
    );
    await owner.query('COMMIT');
    return Object.fromEntries(rows.map((r) => [r.jti, r.revoked]));
  };

  it('marks only tessera-console refresh rows revoked, across tenants; access rows and other clients untouched; a second run changes nothing', async () => {
    await owner.query('BEGIN');
    await owner.query(`SELECT set_config('app.cross_tenant', 'on', true)`);
    await owner.query(`INSERT INTO tessera.tenants (id, slug, name) VALUES ($1, 'mig', 'mig')`, [
      TENANT,
    ]);
    const row = (jti: string, kind: string, client: string, family: string | null) =>
      owner.query(
        `INSERT INTO tessera.api_tokens
           (jti, tenant_id, kind, subject, client_id, family_id, created_via, expires_at)
         VALUES ($1, $2, $3, 'user_1', $4, $5, 'test', $6)`,
        [jti, TENANT, kind, client, family, later],
      );
    await row('tok_console_refresh', 'refresh', 'tessera-console', 'fam_console');
    await row('tok_console_access', 'access', 'tessera-console', 'fam_console');
    await row('tok_other_refresh', 'refresh', 'cli_other', 'fam_other');
    await owner.query('COMMIT');

    await up();
    expect(await revoked()).toEqual({
      tok_console_access: false,
      tok_console_refresh: true,
      tok_other_refresh: false,
    });
    await up();
    expect(await revoked()).toEqual({
      tok_console_access: false,
      tok_console_refresh: true,
      tok_other_refresh: false,
    });
  });
});
