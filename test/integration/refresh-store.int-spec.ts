import Redis, { type RedisOptions } from 'ioredis';
import { MemoryRefreshStore } from '@tessera/infrastructure/refresh/memory-refresh-store.adapter';
import { RedisRefreshStore } from '@tessera/infrastructure/refresh/redis-refresh-store.adapter';
import { startRedisServer } from '@tessera/testing/redis-server';
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

// A redis-server of its own, so the outage case can stop it (and start it again, empty).
refreshStoreContract(
  'RedisRefreshStore',
  async () => {
    const server = await startRedisServer();
    const clients = await Promise.all([1, 2, 3, 4, 5].map(() => connect(server.url)));
    const stores = clients.map((c) => new RedisRefreshStore(c));
    return {
      stores: () => stores,
      close: async () => {
        clients.forEach((c) => c.disconnect());
        await server.stop();
      },
      outage: { stop: () => server.stop(), start: () => server.start() },
    };
  },
  { outage: true },
);

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
    // h2 rotated to h3.
    const h3 = hashOf();
    await store.finishRotation({
      oldHash: h2,
      successorHash: h3,
      successor: short,
      consumedAt: new Date(),
    });

    const tenantKeys = await scan(redis, `tessera:{${long.tenantId}}:*`);
    const t = `tessera:{${long.tenantId}}`;
    expect(tenantKeys.sort()).toEqual(
      [`${t}:fam:${long.familyId}`, `${t}:rt:${h1}`, `${t}:rt:${h2}`, `${t}:rt:${h3}`].sort(),
    );
    // Absolute expiry times (PEXPIRETIME), so nothing depends on how fast this test runs.
    const expiresAt = async (key: string) => Number(await redis.call('PEXPIRETIME', key));
    for (const key of [...tenantKeys, `tessera:rt:${h1}`, `tessera:rt:${h2}`, `tessera:rt:${h3}`]) {
      expect(await expiresAt(key)).toBeGreaterThan(0);
    }
    // The family outlives its longest-lived member, whatever the order they were saved in.
    expect(await expiresAt(`${t}:fam:${long.familyId}`)).toBe(long.expiresAt.getTime());
    expect(await expiresAt(`${t}:rt:${h1}`)).toBe(long.expiresAt.getTime());
    expect(await expiresAt(`${t}:rt:${h2}`)).toBe(short.expiresAt.getTime());
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
    await store.peek(hashOf()); // any call reads the clock, and sweeps now and then
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
