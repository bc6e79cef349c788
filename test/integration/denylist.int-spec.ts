import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { DenylistEntry } from '@tessera/domain/revocation/denylist.port';
import { newId } from '@tessera/domain/shared/ids';
import type { DenylistChannel } from '@tessera/infrastructure/denylist/denylist-channel';
import { PostgresDenylist } from '@tessera/infrastructure/denylist/postgres-denylist.adapter';
import { PostgresDenylistChannel } from '@tessera/infrastructure/denylist/postgres-denylist-channel';
import { RedisDenylistChannel } from '@tessera/infrastructure/denylist/redis-denylist-channel';
import { createDataSource } from '@tessera/infrastructure/postgres/data-source';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startRedisServer, type TestRedisServer } from '@tessera/testing/redis-server';

const LEEWAY_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tick = () => new Promise((r) => setImmediate(r));

let db: TestDatabase;
const sources: DataSource[] = [];
const nodes: PostgresDenylist[] = [];
const clients: Redis[] = [];
let tenants: string[];

beforeAll(async () => {
  db = await createTestDatabase();
  const tx = new TenantTransactions(await dataSource());
  tenants = [newId('tenant'), newId('tenant')];
  await tx.crossTenant('test-tenants', async (em) => {
    for (const id of tenants) {
      await em.query(`INSERT INTO tessera.tenants (id, slug, name) VALUES ($1, $2, $3)`, [
        id,
        `t-${id.slice(-8)}`,
        'Denylist test',
      ]);
    }
  });
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  clients.forEach((c) => c.disconnect());
  await Promise.all(sources.map((s) => s.destroy()));
  await db.drop();
});

/** One pool per node, as two processes would have. */
async function dataSource(): Promise<DataSource> {
  const ds = createDataSource({ url: db.appUrl, poolSize: 4 });
  await ds.initialize();
  sources.push(ds);
  return ds;
}

async function redisClient(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  redis.on('error', () => undefined);
  await redis.connect();
  clients.push(redis);
  return redis;
}

/** Counts the messages a node receives, to tell a broadcast from a resync. */
function counted(channel: DenylistChannel): DenylistChannel & { received: number } {
  const c = Object.assign(Object.create(channel) as DenylistChannel, { received: 0 });
  c.subscribe = (onMessage, onResubscribed) =>
    channel.subscribe((m) => {
      c.received++;
      onMessage(m);
    }, onResubscribed);
  return c;
}

async function startNode(
  channel: DenylistChannel,
  syncIntervalMs: number,
  clock?: () => Date,
  opts: { pruneIntervalMs?: number; warn?: (m: string) => void } = {},
): Promise<PostgresDenylist> {
  const node = new PostgresDenylist({
    tx: new TenantTransactions(await dataSource()),
    channel,
    syncIntervalMs,
    leewayMs: LEEWAY_MS,
    clock: clock ? { now: clock } : undefined,
    ...opts,
  });
  await node.start();
  nodes.push(node);
  return node;
}

const entry = (over: Partial<DenylistEntry> = {}): DenylistEntry => ({
  jti: newId('token'),
  tenantId: tenants[0]!,
  expiresAt: new Date(Date.now() + 15 * 60_000),
  reason: 'test',
  ...over,
});

/** Polls `ok`; `ms` is a generous deadline (a loaded machine), never a latency target. */
async function waitUntil(ok: () => boolean, ms = 20_000): Promise<number> {
  const started = performance.now();
  while (!ok()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await (performance.now() - started < 50 ? tick() : sleep(5));
  }
  return performance.now() - started;
}

/**
 * Revokes one jti at a time on `from` and times until `to` denies it too. The figures are
 * printed for information; latency targets live in `npm run bench`.
 */
async function measure(from: PostgresDenylist, to: PostgresDenylist, n: number) {
  const delays: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = entry();
    const started = performance.now();
    await from.deny([e]);
    await waitUntil(() => to.isDenied(e.jti));
    delays.push(performance.now() - started);
  }
  delays.sort((a, b) => a - b);
  const at = (p: number) => delays[Math.min(delays.length - 1, Math.ceil(p * delays.length) - 1)]!;
  return { p50: at(0.5), p99: at(0.99), max: delays.at(-1)! };
}

/** Reads the table as the owner, across tenants: the truth, not a node's replica. */
async function countRows(where: string, param: unknown): Promise<number> {
  const c = new Client({ connectionString: db.ownerUrl });
  await c.connect();
  try {
    await c.query(`SELECT set_config('app.cross_tenant', 'on', false)`);
    const { rows } = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tessera.token_denylist WHERE ${where}`,
      [param],
    );
    return rows[0]!.n;
  } finally {
    await c.end();
  }
}
const rowCount = (jti: string) => countRows('jti = $1', jti);

function redisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is unset: run tests through `npm test`');
  return url;
}

// Replicas here are adapters in one process, each with its own pool and connections; nodes as
// separate processes are in test/e2e/revocation-nodes.e2e-spec.ts.
describe('denylist › two replicas over Redis pub/sub', () => {
  it('a revocation on replica 1 reaches replica 2 by broadcast (the resync is a minute away)', async () => {
    // The resync is slowed to a minute: only the broadcast can be this fast.
    const node1 = await startNode(
      new RedisDenylistChannel(await redisClient(redisUrl()), noop),
      60_000,
    );
    const node2 = await startNode(
      new RedisDenylistChannel(await redisClient(redisUrl()), noop),
      60_000,
    );
    const r = await measure(node1, node2, 50);
    console.log(
      `denylist propagation node1 → node2 over Redis pub/sub, from deny() to visible, n=50: ` +
        `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(2)} ms`,
    );
    // All 50 arrived, each well before the one-minute resync could have brought it.
    expect(r.max).toBeLessThan(60_000);
  });

  it('a node that starts later loads every unexpired denial before it answers', async () => {
    const node1 = await startNode(
      new RedisDenylistChannel(await redisClient(redisUrl()), noop),
      60_000,
    );
    const live = [entry(), entry({ tenantId: tenants[1]! })];
    const expired = entry({ expiresAt: new Date(Date.now() - LEEWAY_MS - 60_000) });
    await node1.deny([...live, expired]);
    const node3 = await startNode(
      new RedisDenylistChannel(await redisClient(redisUrl()), noop),
      60_000,
    );
    for (const e of live) expect(node3.isDenied(e.jti)).toBe(true);
    expect(node3.isDenied(expired.jti)).toBe(false);
    expect(node3.isDenied(newId('token'))).toBe(false);
    expect(await rowCount(expired.jti)).toBe(1);
  });
});

describe('denylist › Redis stopped and restarted', () => {
  let server: TestRedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server.stop());

  const pair = async (syncIntervalMs: number) => {
    const ch1 = counted(new RedisDenylistChannel(await redisClient(server.url), noop));
    const ch2 = counted(new RedisDenylistChannel(await redisClient(server.url), noop));
    return {
      node1: await startNode(ch1, syncIntervalMs),
      node2: await startNode(ch2, syncIntervalMs),
      ch2,
    };
  };

  it('with Redis down a revocation still persists and reaches node 2 by the periodic resync', async () => {
    const { node1, node2, ch2 } = await pair(1000);
    await server.stop();
    const e = entry();
    // deny() does not wait for the broadcast: it settles while Redis is still down.
    const settled = await Promise.race([
      node1.deny([e]).then(() => 'denied'),
      sleep(15_000).then(() => 'hung'),
    ]);
    expect(settled).toBe('denied');
    expect(node1.isDenied(e.jti)).toBe(true);
    expect(await rowCount(e.jti)).toBe(1);
    await waitUntil(() => node2.isDenied(e.jti));
    expect(ch2.received).toBe(0);
    await server.start();
  });

  it('when Redis comes back node 2 resyncs at once and pub/sub resumes', async () => {
    const { node1, node2, ch2 } = await pair(60_000);
    await server.stop();
    const missed = entry();
    await node1.deny([missed]);
    await sleep(300);
    expect(node2.isDenied(missed.jti)).toBe(false); // no broadcast, and the resync is a minute off
    await server.start();
    await waitUntil(() => node2.isDenied(missed.jti)); // the reconnect resync (not the minute one)
    const received = ch2.received;
    const next = entry();
    await waitUntil(() => clients.every((c) => c.status === 'ready'));
    await node1.deny([next]);
    await waitUntil(() => node2.isDenied(next.jti));
    expect(ch2.received).toBeGreaterThan(received);
  });
});

describe('denylist › without Redis (Postgres LISTEN/NOTIFY)', () => {
  it('a revocation on one replica reaches the other by NOTIFY (the resync is a minute away)', async () => {
    const node1 = await startNode(new PostgresDenylistChannel(db.appUrl, noop), 60_000);
    const node2 = await startNode(new PostgresDenylistChannel(db.appUrl, noop), 60_000);
    const r = await measure(node1, node2, 30);
    console.log(
      `denylist propagation node1 → node2 over LISTEN/NOTIFY, from deny() to visible, n=30: ` +
        `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(2)} ms`,
    );
    expect(r.max).toBeLessThan(60_000);
  });

  it('a writer that never started (the CLI) reaches a running node by NOTIFY', async () => {
    const server = await startNode(new PostgresDenylistChannel(db.appUrl, noop), 60_000);
    const cli = new PostgresDenylist({
      tx: new TenantTransactions(await dataSource()),
      channel: new PostgresDenylistChannel(db.appUrl, noop),
      syncIntervalMs: 60_000,
      leewayMs: LEEWAY_MS,
    });
    const e = entry();
    await cli.deny([e]);
    await waitUntil(() => server.isDenied(e.jti));
  });

  it('a listener whose connection dies reconnects and resyncs what it missed', async () => {
    const channel = new PostgresDenylistChannel(db.appUrl, noop);
    const node1 = await startNode(new PostgresDenylistChannel(db.appUrl, noop), 60_000);
    const node2 = await startNode(channel, 60_000);
    const su = new Client({ connectionString: db.superuserUrl });
    await su.connect();
    const e = entry();
    try {
      const { rows } = await su.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE datname = $1 AND application_name = 'tessera:denylist-listen'`,
        [db.name],
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      await node1.deny([e]); // NOTIFY may find nobody listening on node 2 now
    } finally {
      await su.end();
    }
    await waitUntil(() => node2.isDenied(e.jti));
  });
});

describe('denylist › expiry and prune', () => {
  it('an entry is denied until exp plus the clock-skew leeway, then dropped', async () => {
    let now = Date.now();
    const node = await startNode(
      new PostgresDenylistChannel(db.appUrl, noop),
      60_000,
      () => new Date(now),
    );
    const e = entry({ expiresAt: new Date(now + 1000) });
    await node.deny([e]);
    const size = node.size();
    now += 1000 + LEEWAY_MS - 1;
    expect(node.isDenied(e.jti)).toBe(true);
    now += 2;
    expect(node.isDenied(e.jti)).toBe(false);
    expect(node.size()).toBe(size - 1);
  });

  it('denylist prune deletes only rows whose tokens have expired, across tenants', async () => {
    const node = await startNode(new PostgresDenylistChannel(db.appUrl, noop), 60_000);
    const now = Date.now();
    const old = [
      entry({ expiresAt: new Date(now - 3_600_000) }),
      entry({ tenantId: tenants[1]!, expiresAt: new Date(now - 3_600_000) }),
    ];
    const withinLeeway = entry({ expiresAt: new Date(now - 5_000) });
    const live = entry({ tenantId: tenants[1]!, expiresAt: new Date(now + 3_600_000) });
    await node.deny([...old, withinLeeway, live]);
    // Earlier tests left rows too: every row past exp + leeway goes, and nothing else.
    const expired = await countRows('expires_at < $1', new Date(now - LEEWAY_MS));
    expect(expired).toBeGreaterThanOrEqual(2);
    expect(await node.prune()).toBe(expired);
    for (const e of old) expect(await rowCount(e.jti)).toBe(0);
    expect(await rowCount(withinLeeway.jti)).toBe(1);
    expect(await rowCount(live.jti)).toBe(1);
    expect(await node.prune()).toBe(0);
    expect(node.isDenied(live.jti)).toBe(true);
  });

  it('a running node prunes on its own timer, by the database clock: expired rows go, live ones stay', async () => {
    const [{ dbNow }] = await (
      await dataSource()
    ).query<{ dbNow: Date }[]>('SELECT now() AS "dbNow"');
    const at = (offsetMs: number) => new Date(dbNow.getTime() + offsetMs);
    const expired = [
      entry({ expiresAt: at(-2 * 3_600_000) }),
      entry({ tenantId: tenants[1]!, expiresAt: at(-LEEWAY_MS - 60_000) }),
    ];
    // Live by the database's clock; a node going by its own clock, a day ahead, would drop it.
    const live = entry({ expiresAt: at(3_600_000) });
    const writer = await startNode(new PostgresDenylistChannel(db.appUrl, noop), 60_000);
    await writer.deny([...expired, live]);
    const warnings: string[] = [];
    const dayAhead = () => new Date(Date.now() + 86_400_000);
    await startNode(new PostgresDenylistChannel(db.appUrl, noop), 60_000, dayAhead, {
      pruneIntervalMs: 200,
      warn: (m) => warnings.push(m),
    });
    const deadline = Date.now() + 20_000;
    while ((await Promise.all(expired.map((e) => rowCount(e.jti)))).some((n) => n > 0)) {
      if (Date.now() > deadline) throw new Error(`expired rows not pruned: ${warnings.join('; ')}`);
      await sleep(100);
    }
    // Several more ticks of its timer: the live row is still there.
    await sleep(1000);
    expect(await rowCount(live.jti)).toBe(1);
    expect(warnings).toEqual([]);
  });
});

function noop(): void {}
