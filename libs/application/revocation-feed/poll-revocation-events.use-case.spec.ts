import type { Client } from '@tessera/domain/token/client';
import { setJti, type RevocationEvent } from '@tessera/domain/revocation/security-event';
import {
  parsePollRequest,
  PollRequestError,
  PollRevocationEvents,
} from './poll-revocation-events.use-case';
import type { PollQuery, RevocationFeedStore } from './revocation-feed.ports';

const RS = { id: 'rs_01jz0000000000000000000000', identifier: 'https://api' };
const client = (over: Partial<Client> = {}): Client => ({
  id: 'cli_x',
  tenantId: 'org_x',
  name: 'x',
  secretHash: Buffer.alloc(32),
  grants: [],
  scopes: [],
  status: 'active',
  resourceServer: RS,
  ...over,
});
const ev = (seq: number): RevocationEvent => ({
  seq,
  tenantId: 'org_x',
  kind: 'token-revoked',
  target: `tok_${seq}`,
  expiresAt: new Date(Date.now() + 60_000),
  createdAt: new Date(),
});

function fixture(batches: RevocationEvent[][]) {
  const queries: PollQuery[] = [];
  const store: RevocationFeedStore = {
    poll: async (q) => {
      queries.push(q);
      return { events: batches.shift() ?? [], moreAvailable: false };
    },
  };
  let wakes = 0;
  const waiter = {
    heard: () => 0,
    wait: async () => {
      wakes++;
      return true;
    },
  };
  const signer = { sign: async (e: RevocationEvent) => `jws-${e.seq}` };
  const feed = new PollRevocationEvents(store, signer, waiter, { maxWaitMs: 60_000 });
  return { feed, queries, waits: () => wakes };
}

describe('RFC 8936 poll request', () => {
  it('defaults: maxEvents 100, long polling, stream "default"', () => {
    expect(parsePollRequest({})).toEqual({
      ack: [],
      setErrs: {},
      maxEvents: 100,
      returnImmediately: false,
      stream: 'default',
    });
  });

  it.each([
    ['not an object', []],
    ['ack not strings', { ack: [1] }],
    ['maxEvents over 1000', { maxEvents: 1001 }],
    ['maxEvents negative', { maxEvents: -1 }],
    ['maxEvents fractional', { maxEvents: 1.5 }],
    ['returnImmediately not boolean', { returnImmediately: 'yes' }],
    ['stream with a space', { stream: 'a b' }],
    ['stream too long', { stream: 'x'.repeat(65) }],
    ['setErrs an array', { setErrs: [] }],
  ])('%s → invalid_request in the RFC 8936 error shape', (_, body) => {
    expect(() => parsePollRequest(body)).toThrow(PollRequestError);
  });
});

describe('PollRevocationEvents', () => {
  it('a client that is not a resource server → access_denied', async () => {
    const { feed } = fixture([]);
    await expect(
      feed.execute(client({ resourceServer: undefined }), parsePollRequest({})),
    ).rejects.toMatchObject({ code: 'access_denied' });
  });

  it('acks and setErrs name seqs of SETs made for this resource server; others are ignored', async () => {
    const { feed, queries } = fixture([[ev(1)]]);
    await feed.execute(
      client(),
      parsePollRequest({
        ack: [setJti(7, RS.id), setJti(8, 'rs_01jz0000000000000000000001'), 'junk'],
        setErrs: { [setJti(9, RS.id)]: { err: 'invalid_key' } },
      }),
    );
    expect(queries[0]!.acked).toEqual([7, 9]);
  });

  it('delivers oldest first, keyed by SET jti', async () => {
    const { feed } = fixture([[ev(3), ev(5)]]);
    const out = await feed.execute(client(), parsePollRequest({}));
    expect(Object.entries(out.sets)).toEqual([
      [setJti(3, RS.id), 'jws-3'],
      [setJti(5, RS.id), 'jws-5'],
    ]);
  });

  it('nothing to deliver: waits, then polls again without re-sending the acks', async () => {
    const { feed, queries, waits } = fixture([[], [ev(4)]]);
    const out = await feed.execute(client(), parsePollRequest({ ack: [setJti(2, RS.id)] }));
    expect(waits()).toBe(1);
    expect(queries.map((q) => q.acked)).toEqual([[2], []]);
    expect(Object.keys(out.sets)).toEqual([setJti(4, RS.id)]);
  });

  it('a revocation heard during the store query › the wait is told to return at once (no lost wake-up)', async () => {
    let heard = 0;
    const sinces: (number | undefined)[] = [];
    const batches: RevocationEvent[][] = [[], [ev(7)]];
    const store: RevocationFeedStore = {
      poll: async () => {
        heard++; // a denial broadcast lands while the query runs
        return { events: batches.shift() ?? [], moreAvailable: false };
      },
    };
    const waiter = {
      heard: () => heard,
      wait: async (_ms: number, _s?: AbortSignal, since?: number) => {
        sinces.push(since);
        return true;
      },
    };
    const signer = { sign: async (e: RevocationEvent) => `jws-${e.seq}` };
    const feed = new PollRevocationEvents(store, signer, waiter, { maxWaitMs: 60_000 });
    const out = await feed.execute(client(), parsePollRequest({}));
    // The counter as read BEFORE the query: the waiter sees it moved and does not hold.
    expect(sinces).toEqual([0]);
    expect(Object.keys(out.sets)).toEqual([setJti(7, RS.id)]);
  });

  it('returnImmediately or maxEvents 0: never waits', async () => {
    for (const body of [{ returnImmediately: true }, { maxEvents: 0 }]) {
      const { feed, waits } = fixture([[]]);
      expect(await feed.execute(client(), parsePollRequest(body))).toEqual({
        sets: {},
        moreAvailable: false,
      });
      expect(waits()).toBe(0);
    }
  });
});
