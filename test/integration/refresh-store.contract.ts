import { randomBytes } from 'node:crypto';
import { isDomainError } from '@tessera/domain/shared/domain-error';
import { newId } from '@tessera/domain/shared/ids';
import type {
  FinishedRotation,
  PeekResult,
  RefreshStore,
} from '@tessera/domain/refresh/refresh-store.port';
import type { RefreshRecord } from '@tessera/domain/refresh/refresh-token';

/**
 * What every RefreshStore must do, whatever holds the tokens. `stores()` returns one store or
 * several over the same backing (several connections), so concurrency is real where it can be.
 */
export interface StoreHarness {
  stores(): RefreshStore[];
  close(): Promise<void>;
  /** Stops the backing service (and `start` brings it back, empty): stores that have one. */
  outage?: { stop(): Promise<void>; start(): Promise<void> };
}

export const hashOf = () => randomBytes(32).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function record(over: Partial<RefreshRecord> = {}): RefreshRecord {
  const now = Date.now();
  return {
    tenantId: newId('tenant'),
    familyId: newId('family'),
    clientId: newId('client'),
    subject: 'svc-1',
    role: 'member',
    scopes: ['read', 'write'],
    accessJti: newId('token'),
    refreshJti: newId('token'),
    issuedAt: new Date(now),
    expiresAt: new Date(now + 60_000),
    ...over,
  };
}

export function refreshStoreContract(
  name: string,
  harness: () => Promise<StoreHarness>,
  opts: { outage?: boolean } = {},
): void {
  describe(`RefreshStore contract › ${name}`, () => {
    let h: StoreHarness;
    let store: RefreshStore;
    beforeAll(async () => {
      h = await harness();
      store = h.stores()[0]!;
    });
    afterAll(() => h.close());

    it('refresh_token › peek returns the saved record, dates and all, without changing it', async () => {
      const hash = hashOf();
      const r = record();
      await store.save(hash, r);
      expect(await store.peek(hash)).toEqual({ state: 'live', record: r });
      expect(await store.peek(hash)).toEqual({ state: 'live', record: r });
    });

    it('refresh_token › an unknown hash, or an expired token, is unknown to peek', async () => {
      expect(await store.peek(hashOf())).toBeUndefined();
      const hash = hashOf();
      await store.save(hash, record({ expiresAt: new Date(Date.now() + 150) }));
      await sleep(250);
      expect(await store.peek(hash)).toBeUndefined();
    });

    it('finishRotation › makes the successor presentable and marks the old token consumed', async () => {
      const { old, oldHash, finish } = await rotation(store);
      await store.finishRotation(finish);
      expect(await store.peek(finish.successorHash)).toEqual({
        state: 'live',
        record: finish.successor,
      });
      expect(await store.peek(oldHash)).toEqual({ state: 'consumed', record: old });
    });

    it('finishRotation › is idempotent: a retry repeating it changes nothing, even after the successor was rotated', async () => {
      const { finish } = await rotation(store);
      await store.finishRotation(finish);
      const next = successorOf(finish.successorHash, finish.successor);
      await store.finishRotation(next);
      await store.finishRotation(finish);
      expect((await store.peek(finish.successorHash))?.state).toBe('consumed');
      expect((await store.peek(next.successorHash))?.state).toBe('live');
    });

    it('finishRotation › 50 concurrent retries of one rotation, over every connection: all succeed, one successor', async () => {
      const { oldHash, finish } = await rotation(store);
      const all = h.stores();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => all[i % all.length]!.finishRotation(finish)),
      );
      expect((await store.peek(oldHash))?.state).toBe('consumed');
      expect((await store.peek(finish.successorHash))?.state).toBe('live');
      const jtis = await store.revokeFamily(finish.successor.tenantId, finish.successor.familyId);
      expect(jtis.filter((j) => j === finish.successor.accessJti)).toHaveLength(1);
    });

    it('finishRotation › refuses a family revoked meanwhile (invalid_grant), and the successor stays unknown', async () => {
      const { old, finish } = await rotation(store);
      await store.revokeFamily(old.tenantId, old.familyId);
      const e: unknown = await store.finishRotation(finish).catch((x: unknown) => x);
      expect(isDomainError(e) && e.code).toBe('invalid_grant');
      expect(await store.peek(finish.successorHash)).toBeUndefined();
    });

    it('refresh_token › revoking the family: every access jti returned, every member revoked', async () => {
      const { old, oldHash, finish } = await rotation(store);
      await store.finishRotation(finish);
      const sibling = record({ ...pick(old) });
      const siblingHash = hashOf();
      await store.save(siblingHash, sibling);
      const jtis = await store.revokeFamily(old.tenantId, old.familyId);
      expect(jtis.sort()).toEqual(
        [old.accessJti, finish.successor.accessJti, sibling.accessJti].sort(),
      );
      for (const hash of [oldHash, finish.successorHash, siblingHash])
        expect((await store.peek(hash))?.state).toBe('revoked');
      expect((await store.revokeFamily(old.tenantId, old.familyId)).sort()).toEqual(jtis);
    });

    it('refresh_token › a revoked family takes no successor (its access jti could not be denied)', async () => {
      const r = record();
      await store.save(hashOf(), r);
      await store.revokeFamily(r.tenantId, r.familyId);
      const late = store.save(hashOf(), record({ ...pick(r) }));
      await expect(late).rejects.toMatchObject({ code: 'invalid_grant' });
      await late.catch((e: unknown) => expect(isDomainError(e)).toBe(true));
    });

    it('refresh_token › a family is revoked within its own tenant only', async () => {
      const a = record();
      const b = record({ familyId: a.familyId });
      const [ha, hb] = [hashOf(), hashOf()];
      await store.save(ha, a);
      await store.save(hb, b);
      expect(await store.revokeFamily(b.tenantId, 'fam_unknown')).toEqual([]);
      expect(await store.revokeFamily(a.tenantId, a.familyId)).toEqual([a.accessJti]);
      expect((await store.peek(ha))?.state).toBe('revoked');
      expect((await store.peek(hb))?.state).toBe('live');
    });

    // Only for a store with a service behind it (a store in this process cannot be down).
    if (opts.outage)
      it('with its backing service down: every call fails fast with temporarily_unavailable (a 503), and works again once it is back', async () => {
        const outage = h.outage!;
        const { oldHash, finish } = await rotation(store);
        await outage.stop();
        const calls = [
          () => store.save(hashOf(), record()),
          () => store.peek(oldHash),
          () => store.finishRotation(finish),
          () => store.revokeFamily(finish.successor.tenantId, finish.successor.familyId),
        ];
        // A call that waited for a reconnect would hang here, as the service only comes back below.
        const hung = Symbol('hung');
        for (const call of calls) {
          const outcome = await Promise.race([
            call().then(
              () => 'resolved',
              (e: unknown) => e,
            ),
            sleep(15_000).then(() => hung),
          ]);
          expect(outcome).toMatchObject({ name: 'DomainError', code: 'temporarily_unavailable' });
        }
        await outage.start();
        // Back, and empty: the old token is gone (unknown, never resurrected as usable); a
        // rotation's Redis half finishes again (the retry after Postgres committed it).
        let back: PeekResult | undefined | symbol = hung;
        const deadline = Date.now() + 30_000;
        while (back === hung && Date.now() < deadline) {
          back = await store.peek(oldHash).catch(() => hung);
          if (back === hung) await sleep(100);
        }
        expect(back).toBeUndefined();
        const again = await rotation(store);
        await store.finishRotation(again.finish);
        expect((await store.peek(again.finish.successorHash))?.state).toBe('live');
        expect((await store.peek(again.oldHash))?.state).toBe('consumed');
      });
  });
}

/** A saved token and the rotation Postgres recorded for it. */
async function rotation(store: RefreshStore) {
  const old = record();
  const oldHash = hashOf();
  await store.save(oldHash, old);
  return { old, oldHash, finish: successorOf(oldHash, old) };
}

function successorOf(oldHash: string, old: RefreshRecord): FinishedRotation {
  const now = Date.now();
  return {
    oldHash,
    successorHash: hashOf(),
    successor: record({ ...pick(old) }),
    consumedAt: new Date(now),
  };
}

/** Another member of the same family (same tenant, client and subject). */
const pick = (r: RefreshRecord): Partial<RefreshRecord> => ({
  tenantId: r.tenantId,
  familyId: r.familyId,
  clientId: r.clientId,
  subject: r.subject,
});
