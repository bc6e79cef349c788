import Redis from 'ioredis';
import { newId } from '@tessera/domain/shared/ids';
import { RedisReplayGuard } from '@tessera/infrastructure/session/redis-replay-guard';
import { RedisSessionStore } from '@tessera/infrastructure/session/redis-session-store';
import { hashSecret, idpIndexHash } from '@tessera/infrastructure/session/session-id';
import { sessionData } from '@tessera/testing/session-fixtures';

const data = sessionData;

describe('RedisSessionStore (real Redis)', () => {
  let redis: Redis;
  const timeouts = { idleTtl: 600, absoluteTtl: 3600, pendingLoginTtl: 120 };

  beforeAll(() => {
    redis = new Redis(process.env.TEST_REDIS_URL!);
  });
  afterAll(() => redis.disconnect());

  it('keys by tenant and the id’s SHA-256; the id itself is stored nowhere', async () => {
    const store = new RedisSessionStore(redis, timeouts);
    const d = data();
    const { id, idHash } = await store.create(d);
    const secret = id.split('.')[1]!;
    const keys = await redis.keys(`tessera:${d.tenantId}:session:*`);
    expect(keys).toEqual([`tessera:${d.tenantId}:session:${idHash}`]);
    expect(await redis.get(keys[0]!)).not.toContain(secret);
    await expect(store.get(id)).resolves.toMatchObject({ userId: d.userId, idHash });
    await store.destroy(id);
    await expect(store.get(id)).resolves.toBeNull();
    expect(await redis.exists(keys[0]!)).toBe(0);
  });

  it('TTL is the idle timeout, slid on use, capped by what is left of the absolute timeout', async () => {
    const store = new RedisSessionStore(redis, timeouts);
    const fresh = await store.create(data());
    const freshKey = `tessera:${fresh.id.split('.')[0]}:session:${fresh.idHash}`;
    expect(await redis.ttl(freshKey)).toBeGreaterThan(590);
    await redis.expire(freshKey, 100);
    await store.get(fresh.id);
    expect(await redis.ttl(freshKey)).toBeGreaterThan(590);

    const old = await store.create(data({ createdAt: Date.now() - 3500_000 }));
    const oldKey = `tessera:${old.id.split('.')[0]}:session:${old.idHash}`;
    expect(await redis.ttl(oldKey)).toBeLessThanOrEqual(100);
  });

  it('a session past its absolute timeout is gone even if Redis still has it', async () => {
    const store = new RedisSessionStore(redis, timeouts);
    const d = data();
    const { id, idHash } = await store.create(d);
    const key = `tessera:${d.tenantId}:session:${idHash}`;
    await redis.set(key, JSON.stringify({ ...d, createdAt: Date.now() - 3601_000 }), 'EX', 60);
    await expect(store.get(id)).resolves.toBeNull();
    expect(await redis.exists(key)).toBe(0);
  });

  it('malformed or foreign ids are misses, not errors', async () => {
    const store = new RedisSessionStore(redis, timeouts);
    for (const id of ['', 'x', '../../etc', `${newId('tenant')}.short`, 'a'.repeat(5000)]) {
      await expect(store.get(id)).resolves.toBeNull();
    }
  });

  it('a pending login is single-use and expires', async () => {
    const store = new RedisSessionStore(redis, timeouts);
    const p = {
      tenantSlug: 'a',
      returnTo: '/',
      state: 's',
      nonce: 'n',
      codeVerifier: 'v',
      createdAt: 1,
    };
    const id = await store.savePending(p);
    expect(await redis.ttl(`tessera:login:${hashSecret(id)}`)).toBeGreaterThan(100);
    const results = await Promise.all([store.takePending(id), store.takePending(id)]);
    expect(results.filter(Boolean)).toEqual([p]);
    expect(await redis.exists(`tessera:login:${hashSecret(id)}`)).toBe(0);
  });

  it('back-channel logout: sid and sub indexes find sessions across tenants; values are hashed; TTLs set', async () => {
    const store = new RedisSessionStore(redis, timeouts);
    const iss = `https://idp-${newId('user')}.test/`;
    const a = data({ issuer: iss, subject: 'u1', idpSid: 'sid-a' });
    const b = data({ issuer: iss, subject: 'u1', idpSid: 'sid-b' });
    const c = data({ issuer: iss, subject: 'u2', idpSid: 'sid-c' });
    const [sa, sb, sc] = [await store.create(a), await store.create(b), await store.create(c)];
    const sidKey = `tessera:idp-sid:${idpIndexHash(iss, 'sid-a')}`;
    expect(await redis.smembers(sidKey)).toEqual([`${a.tenantId}:${sa.idHash}`]);
    expect(await redis.ttl(sidKey)).toBeGreaterThan(3500);
    expect((await redis.keys('tessera:idp-*')).join()).not.toContain('sid-a');

    const ids = (r: { tenantId: string }[]) => r.map((x) => x.tenantId).sort();
    expect(await store.endIdpSessions(iss, { sid: 'sid-a', subject: 'u2' })).toEqual([]);
    expect(ids(await store.endIdpSessions(iss, { sid: 'sid-a' }))).toEqual([a.tenantId]);
    await expect(store.get(sa.id)).resolves.toBeNull();
    await expect(store.get(sb.id)).resolves.not.toBeNull();
    expect(ids(await store.endIdpSessions(iss, { subject: 'u1' }))).toEqual([b.tenantId]);
    await expect(store.get(sb.id)).resolves.toBeNull();
    await expect(store.get(sc.id)).resolves.not.toBeNull();
    // Idempotent: a second run ends nothing and leaves no stale members behind.
    expect(await store.endIdpSessions(iss, { subject: 'u1' })).toEqual([]);
    expect(await redis.scard(`tessera:idp-sub:${idpIndexHash(iss, 'u1')}`)).toBe(0);
  });

  it('RedisReplayGuard: first use once per key across clients, with a TTL; forget releases it', async () => {
    const other = new Redis(process.env.TEST_REDIS_URL!);
    try {
      const [g1, g2] = [new RedisReplayGuard(redis), new RedisReplayGuard(other)];
      const key = `test:${newId('user')}`;
      const results = await Promise.all([g1.firstUse(key, 60), g2.firstUse(key, 60)]);
      expect(results.sort()).toEqual([false, true]);
      expect(await redis.ttl(`tessera:once:${key}`)).toBeGreaterThan(50);
      await g2.forget(key);
      await expect(g1.firstUse(key, 60)).resolves.toBe(true);
    } finally {
      other.disconnect();
    }
  });
});
