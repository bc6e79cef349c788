import type { DataSource } from 'typeorm';
import { newId } from '@tessera/domain/shared/ids';
import type { TokenRecord } from '@tessera/application/tokens/token-records.port';
import { PruneTokenRecords } from '@tessera/application/prune-token-records/prune-token-records.use-case';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import { TypeOrmTokenRecords } from '@tessera/infrastructure/tokens/typeorm-token-records';
import { TypeOrmTokenRecordRetention } from '@tessera/infrastructure/tokens/typeorm-token-record-retention';
import { openAppDataSource } from '@tessera/testing/test-data-source';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

const RETENTION = 3600;

let db: TestDatabase;
let ds: DataSource;
let tx: TenantTransactions;
let records: TypeOrmTokenRecords;
let retention: TypeOrmTokenRecordRetention;
let tenant: string;
let user: string;

/** A record whose expiry is `offset` seconds from the database's now(). */
async function recordAt(offsetSeconds: number, extra: Partial<TokenRecord> = {}): Promise<string> {
  const [{ at }] = await ds.query<{ at: Date }[]>(
    `SELECT now() + make_interval(secs => $1) AS at`,
    [offsetSeconds],
  );
  const jti = newId('token');
  await records.record([
    {
      jti,
      tenantId: tenant,
      kind: 'access',
      subject: 's',
      clientId: 'c',
      scopes: [],
      createdVia: 'cli',
      createdAt: new Date(at.getTime() - 1000),
      expiresAt: at,
      ...extra,
    },
  ]);
  return jti;
}

const exists = async (jti: string) =>
  (await tx.run((em) => em.query('SELECT 1 FROM api_tokens WHERE jti = $1', [jti]), tenant))
    .length === 1;

beforeAll(async () => {
  db = await createTestDatabase();
  ({ ds, tx } = await openAppDataSource(db, 4));
  records = new TypeOrmTokenRecords(ds);
  retention = new TypeOrmTokenRecordRetention(tx);
  tenant = newId('tenant');
  user = newId('user');
  await tx.crossTenant('test-seed', async (em) => {
    await em.query(`INSERT INTO tenants (id, slug, name) VALUES ($1, $2, 'Prune')`, [
      tenant,
      `p-${tenant.slice(-8)}`,
    ]);
    await em.query(`INSERT INTO users (id, issuer, subject) VALUES ($1, 'https://idp', $2)`, [
      user,
      user,
    ]);
    await em.query(
      `INSERT INTO memberships (id, tenant_id, user_id, role) VALUES ($1, $2, $3, 'member')`,
      [newId('membership'), tenant, user],
    );
  });
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

describe('api_tokens › pruning', () => {
  it('rows past expiry plus the retention are gone, in batches; live and recently expired rows stay', async () => {
    const old = await Promise.all(Array.from({ length: 7 }, () => recordAt(-RETENTION - 600)));
    const recent = await recordAt(-60); // expired, but inside the retention
    const live = await recordAt(900);
    const before = await retention.stats(RETENTION, tenant);
    expect(before).toMatchObject({ prunable: 7, expired: 8 });

    const result = await new PruneTokenRecords(retention, { retention: RETENTION, batch: 3 }).run();
    expect(result).toEqual({ pruned: 7, batches: 3, complete: true });
    for (const jti of old) expect(await exists(jti)).toBe(false);
    expect(await exists(recent)).toBe(true);
    expect(await exists(live)).toBe(true);
    expect(await retention.stats(RETENTION, tenant)).toMatchObject({ prunable: 0, expired: 1 });
  });

  it('pruning twice, or on two nodes at once, is harmless', async () => {
    const old = await Promise.all(Array.from({ length: 20 }, () => recordAt(-RETENTION - 5)));
    const live = await recordAt(900);
    const prune = () => new PruneTokenRecords(retention, { retention: RETENTION, batch: 4 }).run();
    const [a, b] = await Promise.all([prune(), prune()]);
    expect(a.pruned + b.pruned).toBe(20);
    expect(await prune()).toEqual({ pruned: 0, batches: 1, complete: true });
    for (const jti of old) expect(await exists(jti)).toBe(false);
    expect(await exists(live)).toBe(true);
  });

  it('a pass stops at maxBatches and says so; the next pass carries on', async () => {
    await Promise.all(Array.from({ length: 5 }, () => recordAt(-RETENTION - 5)));
    const bounded = new PruneTokenRecords(retention, {
      retention: RETENTION,
      batch: 2,
      maxBatches: 1,
    });
    expect(await bounded.run()).toEqual({ pruned: 2, batches: 1, complete: false });
    const rest = await new PruneTokenRecords(retention, { retention: RETENTION, batch: 2 }).run();
    expect(rest.pruned).toBe(3);
  });

  it('stats count rows by state, per tenant and over every tenant', async () => {
    const revoked = await recordAt(900, { kind: 'refresh' });
    await records.markRevoked(tenant, { jtis: [revoked] });
    const mine = await retention.stats(RETENTION, tenant);
    expect(mine.rows).toBe(mine.live + mine.revoked + mine.expired);
    expect(mine.revoked).toBeGreaterThanOrEqual(1);
    expect(mine.refresh).toBeGreaterThanOrEqual(1);
    expect(mine.tableBytes).toBeGreaterThan(0);
    const all = await retention.stats(RETENTION);
    expect(all.rows).toBeGreaterThanOrEqual(mine.rows);
  });
});

describe('api_tokens › members', () => {
  it('a member with past tokens can be removed; their records stay; no new token names them', async () => {
    const theirs = await recordAt(900, { userId: user, subject: user });
    const expired = await recordAt(-60, { userId: user, subject: user });
    const [, removed] = (await tx.run(
      (em) => em.query('DELETE FROM memberships WHERE user_id = $1', [user]),
      tenant,
    )) as [unknown, number];
    expect(removed).toBe(1);
    expect(await exists(theirs)).toBe(true);
    expect(await exists(expired)).toBe(true);
    // Still found by user, for `token list` and revocation.
    expect((await records.list(tenant, { userId: user })).map((r) => r.jti)).toEqual(
      expect.arrayContaining([theirs, expired]),
    );
    await expect(recordAt(900, { userId: user, subject: user })).rejects.toMatchObject({
      code: 'access_denied',
    });
  });
});
