import type { Client } from '@tessera/domain/token/client';
import type { ClientRepository } from '@tessera/application/tokens/client-repository.port';
import { CachedClientRepository } from './cached-client-lookup';

const ID = 'cli_00000000000000000000000000';
const OTHER = 'cli_11111111111111111111111111';
const client = (id: string): Client => ({
  id,
  tenantId: 'org_x',
  name: 'c',
  secretHash: Buffer.alloc(32),
  grants: ['client_credentials'],
  scopes: [],
  status: 'active',
});

/** A repository that counts its lookups and answers when the test releases them. */
function countingRepo(existing: string[] = []) {
  let lookups = 0;
  const release: (() => void)[] = [];
  const repo: ClientRepository = {
    findForAuthentication: (id) => {
      lookups++;
      return new Promise((resolve) =>
        release.push(() => resolve(existing.includes(id) ? client(id) : undefined)),
      );
    },
    create: async () => client(OTHER),
    list: async () => [],
    rotateSecret: async () => true,
    disable: async () => true,
    setGrants: async () => true,
  };
  return { repo, lookups: () => lookups, releaseAll: () => release.splice(0).forEach((r) => r()) };
}

/** A clock the test moves: no test here depends on how fast the machine is. */
function manualClock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('CachedClientRepository', () => {
  it('N concurrent lookups of one unknown id cost one query; repeats inside the window cost none', async () => {
    const { repo, lookups, releaseAll } = countingRepo();
    const cache = new CachedClientRepository(repo, { negativeTtlMs: 60_000 });
    const all = Array.from({ length: 50 }, () => cache.findForAuthentication(ID));
    releaseAll();
    expect(await Promise.all(all)).toEqual(Array(50).fill(undefined));
    for (let i = 0; i < 50; i++) expect(await cache.findForAuthentication(ID)).toBeUndefined();
    expect(lookups()).toBe(1);
  });

  it('an unknown id is asked again once the negative entry has expired', async () => {
    const { repo, lookups, releaseAll } = countingRepo();
    const clock = manualClock();
    const cache = new CachedClientRepository(repo, { negativeTtlMs: 5000, now: clock.now });
    const first = cache.findForAuthentication(ID);
    releaseAll();
    await first;
    clock.advance(4000);
    expect(await cache.findForAuthentication(ID)).toBeUndefined();
    expect(lookups()).toBe(1);
    clock.advance(2000);
    const again = cache.findForAuthentication(ID);
    releaseAll();
    await again;
    expect(lookups()).toBe(2);
  });

  it('costsLookup: false for malformed ids, answers at hand, lookups in flight and ids found before', async () => {
    const { repo, releaseAll } = countingRepo([OTHER]);
    const clock = manualClock();
    const cache = new CachedClientRepository(repo, {
      ttlMs: 3000,
      negativeTtlMs: 5000,
      now: clock.now,
    });
    expect(cache.costsLookup('junk')).toBe(false);
    expect(cache.costsLookup(ID)).toBe(true);
    const pending = cache.findForAuthentication(ID);
    expect(cache.costsLookup(ID)).toBe(false); // in flight: a caller would share it
    releaseAll();
    await pending;
    expect(cache.costsLookup(ID)).toBe(false); // negative entry
    const found = cache.findForAuthentication(OTHER);
    releaseAll();
    await found;
    clock.advance(6000);
    expect(cache.costsLookup(ID)).toBe(true); // unknown again
    expect(cache.costsLookup(OTHER)).toBe(false); // found once: known, though its entry expired
  });

  it('a disable drops the cached client and a lookup racing it is not cached', async () => {
    const { repo, lookups, releaseAll } = countingRepo([OTHER]);
    const cache = new CachedClientRepository(repo, { ttlMs: 60_000 });
    const racing = cache.findForAuthentication(OTHER);
    await cache.disable('org_x', OTHER);
    releaseAll();
    await racing;
    const after = cache.findForAuthentication(OTHER);
    releaseAll();
    await after;
    expect(lookups()).toBe(2);
  });
});
