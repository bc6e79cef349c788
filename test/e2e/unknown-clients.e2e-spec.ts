import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import { postForm } from '@tessera/testing/oauth-fixtures';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import {
  connectSuperuser,
  createTestDatabase,
  type TestDatabase,
} from '@tessera/testing/test-database';

jest.setTimeout(120_000);

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const randomClientId = () =>
  `cli_${Array.from({ length: 26 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')}`;

/**
 * Well-formed but unknown client ids cost the database nothing per request: unknown answers are
 * cached, and an address is counted before its lookups. Shown by holding an exclusive lock on
 * the clients table: a request that did query it would wait for the lock; these answer.
 */
describe('POST /oauth/token › unknown client_id', () => {
  let db: TestDatabase;
  let node: ServerProcess;
  let locker: Client;
  const LIMIT = 5;

  const tokenFrom = (address: string, clientId: string) =>
    postForm(
      `${node.url}/oauth/token`,
      { grant_type: 'client_credentials', client_id: clientId, client_secret: 'not-the-secret' },
      { 'x-forwarded-for': address },
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    node = await startServerProcess(db, {
      env: {
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_ANONYMOUS: String(LIMIT),
        // One proxy hop: the test names each request's address in X-Forwarded-For.
        TRUST_PROXY: '1',
        CLIENT_NEGATIVE_CACHE_TTL: '10m',
        REDIS_URL: undefined,
      },
    });
    locker = await connectSuperuser(db);
  });
  afterAll(async () => {
    await locker?.query('ROLLBACK').catch(() => undefined);
    await locker?.end().catch(() => undefined);
    await node?.kill();
    await db?.drop();
  });

  it('random unknown ids get 401 invalid_client, then 429 from the address count, never waiting on the database; a repeated unknown id is answered from the cache', async () => {
    const repeated = randomClientId();
    const first = await tokenFrom('203.0.113.1', repeated);
    expect(first.status).toBe(401);
    expect(first.json.error).toBe('invalid_client');
    expect(first.headers.get('www-authenticate')).toMatch(/^Basic /);
    for (let i = 0; i < LIMIT; i++) {
      const r = await tokenFrom('203.0.113.2', randomClientId());
      expect([r.status, r.json.error]).toEqual([401, 'invalid_client']);
    }

    await locker.query('BEGIN');
    await locker.query('LOCK TABLE tessera.clients IN ACCESS EXCLUSIVE MODE');
    try {
      let settled = false;
      const pending = Promise.all(
        Array.from({ length: 20 }, () => tokenFrom('203.0.113.2', randomClientId())),
      ).finally(() => (settled = true));
      // Any lookup of the flood's ids would queue behind our lock: watch for a waiter.
      let waiters = 0;
      while (!settled) {
        const { rows } = await locker.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks
            WHERE relation = 'tessera.clients'::regclass AND NOT granted`,
        );
        waiters = Math.max(waiters, rows[0]!.n);
      }
      expect(waiters).toBe(0);
      const flood = await pending;
      expect(flood.map((r) => r.status)).toEqual(Array(20).fill(429));
      expect(flood.every((r) => Number(r.headers.get('retry-after')) >= 1)).toBe(true);
      expect(flood[0]!.json.error).toBe('rate_limited');
      const again = await Promise.all([1, 2, 3].map(() => tokenFrom('203.0.113.1', repeated)));
      expect(again.map((r) => [r.status, r.json.error])).toEqual(
        Array(3).fill([401, 'invalid_client']),
      );
    } finally {
      await locker.query('ROLLBACK');
    }
  });
});
