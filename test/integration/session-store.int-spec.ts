import Redis from 'ioredis';
import type { SessionData } from '@tessera/application/session/session';
import { newId } from '@tessera/domain/shared/ids';
import { RedisSessionStore } from '@tessera/infrastructure/session/redis-session-store';
import { hashSecret } from '@tessera/infrastructure/session/session-id';

const data = (over: Partial<SessionData> = {}): SessionData => ({
  tenantId: newId('tenant'),
  tenantSlug: 'acme',
  userId: newId('user'),
  issuer: 'https://idp.test/application/o/tessera/',
  subject: 's',
  email: 'a@acme.test',
  name: 'A',
  role: 'member',
  idToken: 'id.token.value',
  csrf: 'c',
  createdAt: Date.now(),
  ...over,
});

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
});
