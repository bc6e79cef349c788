import Redis, { type RedisOptions } from 'ioredis';
import { MemoryRefreshStore } from '@tessera/infrastructure/refresh/memory-refresh-store.adapter';
import { RedisRefreshStore } from '@tessera/infrastructure/refresh/redis-refresh-store.adapter';
import { startRedisServer, type TestRedisServer } from '@tessera/testing/redis-server';
import { hashOf, record, refreshStoreContract } from './refresh-store.contract';

/** The options RedisModule uses: no offline queue, so a dead Redis fails a call at once. */
const OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  retryStrategy: (times) => Math.min(times * 100, 2000),
};

async function connect(url: string): Promise<Redis> {
  const redis = new Redis(url, { ...OPTIONS, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

function redisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is unset: run tests through `npm test`');
  return url;
}

// Tenants are fresh ids in every test, so suites sharing the server never see each other's keys.
refreshStoreContract('MemoryRefreshStore', () => {
  const store = new MemoryRefreshStore();
  return Promise.resolve({ stores: () => [store], close: () => Promise.resolve() });
});

refreshStoreContract('RedisRefreshStore', async () => {
  const clients = await Promise.all([1, 2, 3, 4, 5].map(() => connect(redisUrl())));
  const stores = clients.map((c) => new RedisRefreshStore(c));
  return {
    stores: () => stores,
    close: async () => void (await Promise.all(clients.map((c) => c.quit()))),
  };
});

describe('RedisRefreshStore › keys', () => {
  let redis: Redis;
  let store: RedisRefreshStore;
  beforeAll(async () => {
    redis = await connect(redisUrl());
    store = new RedisRefreshStore(redis);
  });
  afterAll(() => redis.quit());

  it('every key is namespaced by tenant (or is the hash index) and expires', async () => {
    const long = record({ expiresAt: new Date(Date.now() + 120_000) });
    const short = record({ ...long, expiresAt: new Date(Date.now() + 30_000) });
    const [h1, h2] = [hashOf(), hashOf()];
    const t0 = Date.now();
    await store.save(h1, long);
    await store.save(h2, short);
    const saving = Date.now() - t0;
    await store.consume(h2);
    const graceUntil = new Date(Date.now() + 5_000);
    await store.attachSuccessor(h2, 'sealed', graceUntil);

    const tenantKeys = await scan(redis, `tessera:{${long.tenantId}}:*`);
    const t = `tessera:{${long.tenantId}}`;
    expect(tenantKeys.sort()).toEqual(
      [`${t}:fam:${long.familyId}`, `${t}:rt:${h1}`, `${t}:rt:${h2}`, `${t}:rt:${h2}:next`].sort(),
    );
    // Absolute expiry times (PEXPIRETIME), so nothing depends on how fast this test runs.
    const expiresAt = async (key: string) => Number(await redis.call('PEXPIRETIME', key));
    for (const key of [...tenantKeys, `tessera:rt:${h1}`, `tessera:rt:${h2}`]) {
      expect(await expiresAt(key)).toBeGreaterThan(0);
    }
    // The family outlives its longest-lived member, whatever the order they were saved in.
    expect(await expiresAt(`${t}:fam:${long.familyId}`)).toBe(long.expiresAt.getTime());
    expect(await expiresAt(`${t}:rt:${h1}`)).toBe(long.expiresAt.getTime());
    expect(await expiresAt(`${t}:rt:${h2}`)).toBe(short.expiresAt.getTime());
    expect(await expiresAt(`${t}:rt:${h2}:next`)).toBe(graceUntil.getTime());
    // The hash index is set with a relative TTL: it expires with its token, give or take the
    // time the save itself took.
    for (const [h, r] of [
      [h1, long],
      [h2, short],
    ] as const) {
      const at = await expiresAt(`tessera:rt:${h}`);
      expect(at).toBeGreaterThanOrEqual(r.expiresAt.getTime() - 1);
      expect(at).toBeLessThanOrEqual(r.expiresAt.getTime() + saving + 1);
    }
    // The token itself is never stored: only its hash appears, and only in key names.
    expect(await redis.hget(`${t}:rt:${h1}`, 'r')).not.toContain(h1);
  });
});

describe('RedisRefreshStore › Redis down', () => {
  let server: TestRedisServer;
  let redis: Redis;
  let store: RedisRefreshStore;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connect(server.url);
    store = new RedisRefreshStore(redis);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('every call fails fast with temporarily_unavailable (a 503), and works again once Redis is back', async () => {
    const hash = hashOf();
    const r = record();
    await store.save(hash, r);
    await server.stop();
    await waitFor(() => redis.status !== 'ready', 10_000);
    const calls = [
      () => store.save(hashOf(), record()),
      () => store.consume(hash),
      () => store.peek(hash),
      () => store.attachSuccessor(hash, 's', new Date(Date.now() + 1000)),
      () => store.revokeFamily(r.tenantId, r.familyId),
    ];
    // Fails fast: it rejects while Redis is still down. A call that waited for a reconnect
    // would hang here, as Redis only comes back below.
    const hung = Symbol('hung');
    for (const call of calls) {
      const outcome = await Promise.race([
        call().then(
          () => 'resolved',
          (e: unknown) => e,
        ),
        new Promise((res) => setTimeout(() => res(hung), 15_000)),
      ]);
      expect(outcome).toMatchObject({ name: 'DomainError', code: 'temporarily_unavailable' });
    }
    await server.start();
    await waitFor(() => redis.status === 'ready', 5_000);
    // Redis restarted empty: the old token is gone (unknown, never resurrected as usable).
    expect(await store.consume(hash)).toEqual({ kind: 'unknown' });
    const fresh = hashOf();
    await store.save(fresh, record());
    expect((await store.consume(fresh)).kind).toBe('consumed');
  });
});

describe('MemoryRefreshStore › bounded memory', () => {
  it('expired tokens and families are swept', async () => {
    let now = Date.now();
    const store = new MemoryRefreshStore({ now: () => new Date(now) });
    for (let i = 0; i < 1000; i++) {
      await store.save(hashOf(), record({ expiresAt: new Date(now + 30_000) }));
    }
    await store.save(hashOf(), record({ expiresAt: new Date(now + 3_600_000) }));
    expect(store.size()).toEqual({ tokens: 1001, families: 1001 });
    now += 61_000;
    await store.consume(hashOf());
    expect(store.size()).toEqual({ tokens: 1, families: 1 });
  });
});

async function scan(redis: Redis, match: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

async function waitFor(ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
