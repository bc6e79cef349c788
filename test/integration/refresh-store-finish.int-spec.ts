import Redis from 'ioredis';
import { isDomainError } from '@tessera/domain/shared/domain-error';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import { MemoryRefreshStore } from '@tessera/infrastructure/refresh/memory-refresh-store.adapter';
import { RedisRefreshStore } from '@tessera/infrastructure/refresh/redis-refresh-store.adapter';
import { hashOf, record } from './refresh-store.contract';

/** finishRotation: the Redis half of a rotation Postgres already recorded, on both stores. */
const cases: [string, () => { store: RefreshStore; close: () => Promise<unknown> }][] = [
  [
    'MemoryRefreshStore',
    () => ({ store: new MemoryRefreshStore(), close: () => Promise.resolve() }),
  ],
  [
    'RedisRefreshStore',
    () => {
      const redis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 1 });
      return { store: new RedisRefreshStore(redis), close: () => redis.quit() };
    },
  ],
];

describe.each(cases)('RefreshStore.finishRotation › %s', (_name, make) => {
  let store: RefreshStore;
  let close: () => Promise<unknown>;
  beforeAll(() => ({ store, close } = make()));
  afterAll(() => close());

  const rotation = async () => {
    const old = record();
    const oldHash = hashOf();
    await store.save(oldHash, old);
    const successor = record({
      tenantId: old.tenantId,
      familyId: old.familyId,
      clientId: old.clientId,
    });
    const now = Date.now();
    return {
      old,
      oldHash,
      finish: {
        oldHash,
        successorHash: hashOf(),
        successor,
        sealed: 'sealed-pair',
        consumedAt: new Date(now),
        graceUntil: new Date(now + 10_000),
      },
    };
  };

  it('makes the successor presentable, marks the old token consumed and keeps the sealed pair', async () => {
    const { oldHash, finish } = await rotation();
    await store.finishRotation(finish);
    expect((await store.peek(finish.successorHash))?.state).toBe('live');
    expect((await store.peek(oldHash))?.state).toBe('consumed');
    const replay = await store.consume(oldHash);
    expect(replay).toMatchObject({ kind: 'replayed', successor: 'sealed-pair' });
  });

  it('is idempotent: a retry repeating it changes nothing, even after the successor was used', async () => {
    const { finish } = await rotation();
    await store.finishRotation(finish);
    expect((await store.consume(finish.successorHash)).kind).toBe('consumed');
    await store.finishRotation(finish);
    expect((await store.peek(finish.successorHash))?.state).toBe('consumed');
  });

  it('refuses a family revoked meanwhile (invalid_grant), and the successor stays unknown', async () => {
    const { old, finish } = await rotation();
    await store.revokeFamily(old.tenantId, old.familyId);
    const e: unknown = await store.finishRotation(finish).catch((x: unknown) => x);
    expect(isDomainError(e) && e.code).toBe('invalid_grant');
    expect(await store.peek(finish.successorHash)).toBeUndefined();
  });
});
