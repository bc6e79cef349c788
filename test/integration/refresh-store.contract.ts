import { randomBytes } from 'node:crypto';
import { isDomainError } from '@tessera/domain/shared/domain-error';
import { newId } from '@tessera/domain/shared/ids';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import type { RefreshRecord } from '@tessera/domain/refresh/refresh-token';

/**
 * What every RefreshStore must do, whatever holds the tokens. `stores()` returns one store or
 * several over the same backing (several connections), so concurrency is real where it can be.
 */
export interface StoreHarness {
  stores(): RefreshStore[];
  close(): Promise<void>;
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

export function refreshStoreContract(name: string, harness: () => Promise<StoreHarness>): void {
  describe(`RefreshStore contract › ${name}`, () => {
    let h: StoreHarness;
    let store: RefreshStore;
    beforeAll(async () => {
      h = await harness();
      store = h.stores()[0]!;
    });
    afterAll(() => h.close());

    it('refresh_token › peek returns the saved record, dates and all, without consuming it', async () => {
      const hash = hashOf();
      const r = record();
      await store.save(hash, r);
      expect(await store.peek(hash)).toEqual({ state: 'live', record: r });
      expect(await store.peek(hash)).toEqual({ state: 'live', record: r });
      expect((await store.consume(hash)).kind).toBe('consumed');
      expect(await store.peek(hash)).toEqual({ state: 'consumed', record: r });
    });

    it('refresh_token › an unknown hash is unknown to consume and peek', async () => {
      expect(await store.consume(hashOf())).toEqual({ kind: 'unknown' });
      expect(await store.peek(hashOf())).toBeUndefined();
    });

    it('refresh_token › an expired token is unknown', async () => {
      const hash = hashOf();
      await store.save(hash, record({ expiresAt: new Date(Date.now() + 150) }));
      await sleep(250);
      expect(await store.consume(hash)).toEqual({ kind: 'unknown' });
      expect(await store.peek(hash)).toBeUndefined();
    });

    it('refresh_token › first use consumes, the second is a replay that says when', async () => {
      const hash = hashOf();
      const r = record();
      await store.save(hash, r);
      const before = Date.now();
      expect(await store.consume(hash)).toEqual({ kind: 'consumed', record: r });
      const again = await store.consume(hash);
      expect(again).toMatchObject({ kind: 'replayed', record: r });
      const at = again.kind === 'replayed' ? again.consumedAt.getTime() : 0;
      expect(at).toBeGreaterThanOrEqual(before - 5);
      expect(at).toBeLessThanOrEqual(Date.now() + 5);
      expect(again).not.toHaveProperty('successor');
    });

    it('refresh_token › 50 concurrent uses of one token: exactly one consumes, 49 are replays', async () => {
      const hash = hashOf();
      await store.save(hash, record());
      const all = h.stores();
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => all[i % all.length]!.consume(hash)),
      );
      const kinds = outcomes.map((o) => o.kind);
      expect(kinds.filter((k) => k === 'consumed')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'replayed')).toHaveLength(49);
    });

    it('refresh_token › reuse revokes the family: every access jti returned, every member revoked', async () => {
      const first = record();
      const members = [first, record({ ...pick(first) }), record({ ...pick(first) })];
      const hashes = members.map(() => hashOf());
      for (const [i, m] of members.entries()) await store.save(hashes[i]!, m);
      await store.consume(hashes[0]!);
      const jtis = await store.revokeFamily(first.tenantId, first.familyId);
      expect(jtis.sort()).toEqual(members.map((m) => m.accessJti).sort());
      for (const hash of hashes) expect((await store.consume(hash)).kind).toBe('revoked');
      for (const hash of hashes) expect((await store.peek(hash))?.state).toBe('revoked');
      expect((await store.revokeFamily(first.tenantId, first.familyId)).sort()).toEqual(jtis);
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
      expect((await store.consume(ha)).kind).toBe('revoked');
      expect((await store.consume(hb)).kind).toBe('consumed');
    });

    it('refresh_token › within the grace window a replay gets the successor, after it only the time', async () => {
      // A window far longer than this test can take: the replay is inside it however slow.
      const hash = hashOf();
      await store.save(hash, record());
      const first = await store.consume(hash);
      expect(first.kind).toBe('consumed');
      await store.attachSuccessor(hash, 'sealed-successor', new Date(Date.now() + 60_000));
      const inside = await store.consume(hash);
      expect(inside).toMatchObject({ kind: 'replayed', successor: 'sealed-successor' });
      expect(await store.consume(hash)).toMatchObject({ successor: 'sealed-successor' });

      // A short window: poll until it has passed (a generous deadline, not a latency bound).
      const other = hashOf();
      await store.save(other, record());
      const consumedFrom = Date.now();
      await store.consume(other);
      const consumedBy = Date.now();
      await store.attachSuccessor(other, 'short-lived', new Date(Date.now() + 500));
      const deadline = Date.now() + 20_000;
      let after = await store.consume(other);
      while (after.kind === 'replayed' && after.successor !== undefined && Date.now() < deadline) {
        await sleep(100);
        after = await store.consume(other);
      }
      expect(after.kind).toBe('replayed');
      expect(after).not.toHaveProperty('successor');
      // "Only the time": when it was first consumed, unchanged by the replays.
      if (after.kind !== 'replayed') throw new Error(`a replay after the window is ${after.kind}`);
      expect(after.consumedAt.getTime()).toBeGreaterThanOrEqual(consumedFrom);
      expect(after.consumedAt.getTime()).toBeLessThanOrEqual(consumedBy);
    });

    it('refresh_token › a successor attaches only to a consumed token', async () => {
      const hash = hashOf();
      await store.save(hash, record());
      await store.attachSuccessor(hash, 'too-early', new Date(Date.now() + 10_000));
      expect((await store.consume(hash)).kind).toBe('consumed');
      expect(await store.consume(hash)).not.toHaveProperty('successor');
      // A successor for an unknown hash is a no-op: it creates no token out of nothing.
      const nobody = hashOf();
      await expect(
        store.attachSuccessor(nobody, 'nobody', new Date(Date.now() + 10_000)),
      ).resolves.toBeUndefined();
      expect(await store.peek(nobody)).toBeUndefined();
      expect(await store.consume(nobody)).toEqual({ kind: 'unknown' });
    });
  });
}

/** Another member of the same family (same tenant, client and subject). */
const pick = (r: RefreshRecord): Partial<RefreshRecord> => ({
  tenantId: r.tenantId,
  familyId: r.familyId,
  clientId: r.clientId,
  subject: r.subject,
});
