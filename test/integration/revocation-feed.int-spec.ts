import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { newId } from '@tessera/domain/shared/ids';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import { PostgresRevocationFeed } from '@tessera/infrastructure/revocation-feed/postgres-revocation-feed';
import { insertRevocationEvents } from '@tessera/infrastructure/revocation-feed/revocation-events';
import { openAppDataSource } from '@tessera/testing/test-data-source';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { until } from '@tessera/testing/poll';

const LEEWAY_MS = 30_000;
const eventually = (check: () => Promise<boolean>): Promise<void> =>
  until('the condition', check, { timeoutMs: 20_000, everyMs: 20 });

/** The feed's store against a real Postgres, as the app role (RLS on). */
describe('revocation feed › Postgres store', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let tx: TenantTransactions;
  let feed: PostgresRevocationFeed;

  /** A tenant with one resource server; returns what a poll needs. */
  async function tenant() {
    const t = { tenantId: newId('tenant'), rs: newId('resourceServer'), client: newId('client') };
    await tx.crossTenant('test fixtures', async (em) => {
      await em.query(`INSERT INTO tessera.tenants (id, slug, name) VALUES ($1, $2, $2)`, [
        t.tenantId,
        `f-${randomBytes(4).toString('hex')}`,
      ]);
      await em.query(
        `INSERT INTO tessera.clients (id, tenant_id, name, secret_hash) VALUES ($1, $2, 'rs', $3)`,
        [t.client, t.tenantId, randomBytes(32)],
      );
      await em.query(
        `INSERT INTO tessera.resource_servers (id, tenant_id, identifier, client_id)
         VALUES ($1, $2, $3, $4)`,
        [t.rs, t.tenantId, `https://${t.rs}.test`, t.client],
      );
    });
    return t;
  }
  const revoke = (tenantId: string, jti: string, expiresAt = new Date(Date.now() + 600_000)) =>
    tx.run(
      (em) =>
        insertRevocationEvents(em, tenantId, [{ kind: 'token-revoked', target: jti, expiresAt }]),
      tenantId,
    );
  const poll = (
    t: { tenantId: string; rs: string },
    stream: string,
    acked: number[] = [],
    maxEvents = 100,
  ) => feed.poll({ tenantId: t.tenantId, resourceServerId: t.rs, stream, acked, maxEvents });
  const targets = async (...args: Parameters<typeof poll>) =>
    (await poll(...args)).events.map((e) => e.target);

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ ds, tx } = await openAppDataSource(db, 6));
    feed = new PostgresRevocationFeed(tx, LEEWAY_MS);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('a tenant’s events commit in seq order: a revocation still open holds later ones back, other tenants are not held', async () => {
    const a = await tenant();
    const b = await tenant();
    let release!: () => void;
    let inserted!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const insertedSlow = new Promise<void>((r) => (inserted = r));
    const slow = tx.run(async (em) => {
      await insertRevocationEvents(em, a.tenantId, [
        { kind: 'token-revoked', target: 'tok_slow', expiresAt: new Date(Date.now() + 600_000) },
      ]);
      inserted();
      await gate;
    }, a.tenantId);
    await insertedSlow;
    const fast = revoke(a.tenantId, 'tok_fast');
    await revoke(b.tenantId, 'tok_other'); // another tenant commits meanwhile
    expect(await targets(b, 's')).toEqual(['tok_other']);
    await eventually(async () => {
      const [w] = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
      );
      return w!.n > 0;
    });
    // Neither is visible: the later one waits for the earlier one's commit.
    expect(await targets(a, 's')).toEqual([]);
    release();
    await Promise.all([slow, fast]);
    const events = (await poll(a, 's')).events;
    expect(events.map((e) => e.target)).toEqual(['tok_slow', 'tok_fast']);
    expect(events[0]!.seq).toBeLessThan(events[1]!.seq);
  });

  it('every new denylist row, whichever code wrote it, gets one token-revoked event in its transaction', async () => {
    const a = await tenant();
    const deny = (jti: string) =>
      tx.run(
        (em) =>
          em.query(
            `INSERT INTO token_denylist (jti, tenant_id, expires_at, reason)
             VALUES ($1, $2, now() + interval '10 minutes', 'test') ON CONFLICT (jti) DO NOTHING`,
            [jti, a.tenantId],
          ),
        a.tenantId,
      );
    const jti = newId('token');
    await deny(jti);
    await deny(jti); // denied twice: still one event
    await expect(
      tx.run(async (em) => {
        await em.query(
          `INSERT INTO token_denylist (jti, tenant_id, expires_at, reason)
           VALUES ($1, $2, now() + interval '10 minutes', 'test')`,
          [newId('token'), a.tenantId],
        );
        throw new Error('rolled back');
      }, a.tenantId),
    ).rejects.toThrow('rolled back');
    const events = (await poll(a, 's')).events;
    expect(events.map((e) => [e.kind, e.target])).toEqual([['token-revoked', jti]]);
  });

  it('a revocation that rolls back leaves no event', async () => {
    const a = await tenant();
    await expect(
      tx.run(async (em) => {
        await insertRevocationEvents(em, a.tenantId, [
          { kind: 'token-revoked', target: 'tok_gone', expiresAt: new Date(Date.now() + 60_000) },
        ]);
        throw new Error('crash after the insert');
      }, a.tenantId),
    ).rejects.toThrow('crash');
    expect(await targets(a, 's')).toEqual([]);
  });

  it('acks out of order: only acknowledged events stop coming; each stream has its own state', async () => {
    const a = await tenant();
    for (const j of ['tok_1', 'tok_2', 'tok_3']) await revoke(a.tenantId, j);
    const [e1, e2, e3] = (await poll(a, 'one')).events;
    expect((await poll(a, 'one', [e2!.seq])).events.map((e) => e.seq)).toEqual([e1!.seq, e3!.seq]);
    expect((await poll(a, 'one', [e1!.seq])).events.map((e) => e.seq)).toEqual([e3!.seq]);
    expect((await poll(a, 'one', [e3!.seq])).events).toEqual([]);
    // The cursor moved over the acknowledged prefix.
    const [row] = await tx.run(
      (em) =>
        em.query(
          `SELECT acked_through::int AS t, acked_above FROM revocation_streams WHERE stream = 'one'`,
        ),
      a.tenantId,
    );
    expect(row).toEqual({ t: e3!.seq, acked_above: [] });
    expect(await targets(a, 'two')).toEqual(['tok_1', 'tok_2', 'tok_3']);
  });

  it('maxEvents bounds a delivery and moreAvailable says so', async () => {
    const a = await tenant();
    for (const j of ['tok_a', 'tok_b', 'tok_c']) await revoke(a.tenantId, j);
    const first = await poll(a, 's', [], 2);
    expect(first.events.map((e) => e.target)).toEqual(['tok_a', 'tok_b']);
    expect(first.moreAvailable).toBe(true);
    const rest = await poll(
      a,
      's',
      first.events.map((e) => e.seq),
      2,
    );
    expect(rest.events.map((e) => e.target)).toEqual(['tok_c']);
    expect(rest.moreAvailable).toBe(false);
  });

  it('an ack for a seq this tenant never had moves nothing', async () => {
    const a = await tenant();
    const b = await tenant();
    await revoke(b.tenantId, 'tok_b');
    const [foreign] = (await poll(b, 's')).events;
    await poll(a, 's', [foreign!.seq, 9_000_000_000]);
    await revoke(a.tenantId, 'tok_later');
    expect(await targets(a, 's')).toEqual(['tok_later']);
  });

  it('events whose tokens expired (past the leeway) are not delivered, and are pruned with idle streams', async () => {
    const a = await tenant();
    await revoke(a.tenantId, 'tok_dead', new Date(Date.now() - LEEWAY_MS - 60_000));
    await revoke(a.tenantId, 'tok_live');
    expect(await targets(a, 'idle')).toEqual(['tok_live']);
    await tx.crossTenant('test', (em) =>
      em.query(
        `UPDATE tessera.revocation_streams SET last_seen_at = now() - interval '25 hours'
          WHERE tenant_id = $1`,
        [a.tenantId],
      ),
    );
    expect(await feed.prune()).toBeGreaterThanOrEqual(1);
    const left = await tx.run(
      async (em) => ({
        events: await em.query(`SELECT target FROM revocation_events ORDER BY seq`),
        streams: await em.query(`SELECT stream FROM revocation_streams`),
      }),
      a.tenantId,
    );
    expect(left).toEqual({ events: [{ target: 'tok_live' }], streams: [] });
  });
});
