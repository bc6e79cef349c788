import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import { DI } from '@tessera/application/di-tokens';
import type { SessionStore } from '@tessera/application/session/session-store.port';
import type { MembershipWriter, UserUpsert } from '@tessera/application/sign-in/directory.ports';
import { basic, seedClient } from '@tessera/testing/oauth-fixtures';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { startRedisServer } from '@tessera/testing/redis-server';

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * Each test speaks from its own 127.x.y.z address: counters live in the one Redis every test
 * file shares, and a fresh address is a fresh count.
 */
const freshAddress = () => `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;

function send(
  url: string,
  opts: {
    method?: string;
    from: string;
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? 'GET', localAddress: opts.from, headers: opts.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

function expectTooMany(r: Reply) {
  expect(r.status).toBe(429);
  const retryAfter = Number(r.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(r.headers['cache-control']).toBe('no-store');
  expect(JSON.parse(r.body)).toEqual({
    error: 'rate_limited',
    error_description: expect.any(String),
  });
}

describe('rate limits', () => {
  let db: TestDatabase;
  const apps: RunningApp[] = [];
  const nodes: ServerProcess[] = [];
  const start = async (env: Record<string, string | undefined>) => {
    const app = await startTestApp(db, {
      RATE_LIMIT_ENABLED: 'true',
      REDIS_URL: process.env.TEST_REDIS_URL,
      ...env,
    });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  }, 30_000);
  afterAll(async () => {
    for (const a of apps) await a.close();
    for (const n of nodes) await n.kill();
    await db?.drop();
  });

  it('two nodes (separate processes) over one Redis share the per-address count; 429 carries Retry-After', async () => {
    const env = {
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_ANONYMOUS: '6',
      REDIS_URL: process.env.TEST_REDIS_URL,
    };
    const [a, b] = await Promise.all([
      startServerProcess(db, { env }),
      startServerProcess(db, { env }),
    ]);
    nodes.push(a, b);
    expect(a.pid).not.toBe(b.pid);
    const from = freshAddress();
    const jwks = (node: ServerProcess) => send(`${node.url}/.well-known/jwks.json`, { from });
    for (let i = 0; i < 3; i++) expect((await jwks(a)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await jwks(b)).status).toBe(200);
    expectTooMany(await jwks(a));
    expectTooMany(await jwks(b));
    // A different client address has its own count.
    expect((await send(`${a.url}/.well-known/jwks.json`, { from: freshAddress() })).status).toBe(
      200,
    );
    for (const node of [a, b]) {
      const metrics = await send(`${node.url}/metrics`, { from: '127.0.0.1' });
      expect(metrics.body).toMatch(/^tessera_rate_limited_total\{scope="anonymous"\} [1-9]/m);
    }
  });

  it('without TRUST_PROXY a rotating X-Forwarded-For does not escape the limit', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '3' });
    const from = freshAddress();
    const forged = () =>
      send(`${app.url}/.well-known/jwks.json`, {
        from,
        headers: { 'X-Forwarded-For': `198.51.100.${randomInt(1, 250)}` },
      });
    for (let i = 0; i < 3; i++) expect((await forged()).status).toBe(200);
    expectTooMany(await forged());
  });

  it('IPv6 clients share one count per /64 (addresses from X-Forwarded-For behind a trusted proxy)', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '3', TRUST_PROXY: 'loopback' });
    const prefix = `2001:db8:${randomInt(1, 0xffff).toString(16)}:${randomInt(1, 0xffff).toString(16)}`;
    const from = (addr: string) =>
      send(`${app.url}/.well-known/jwks.json`, {
        from: '127.0.0.1',
        headers: { 'X-Forwarded-For': addr },
      });
    // Three different addresses of one /64 spend one allowance.
    for (const host of ['::1', '::2', ':abcd:ef01:2345:6789'])
      expect((await from(`${prefix}${host}`)).status).toBe(200);
    expectTooMany(await from(`${prefix}::99`));
    // The neighbouring /64 has its own.
    const [a, b, c, d] = prefix.split(':');
    const next = `${a}:${b}:${c}:${(parseInt(d!, 16) ^ 1).toString(16)}`;
    expect((await from(`${next}::1`)).status).toBe(200);
  });

  it('without REDIS_URL the limits hold in memory (one node)', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '2', REDIS_URL: undefined });
    const from = freshAddress();
    const jwks = () => send(`${app.url}/.well-known/jwks.json`, { from });
    expect((await jwks()).status).toBe(200);
    expect((await jwks()).status).toBe(200);
    expectTooMany(await jwks());
  });

  it('Redis unreachable: limits fail open (requests are served, not refused or failed)', async () => {
    const own = await startRedisServer();
    const app = await start({ RATE_LIMIT_ANONYMOUS: '2', REDIS_URL: own.url });
    const from = freshAddress();
    const jwks = () => send(`${app.url}/.well-known/jwks.json`, { from });
    try {
      for (let i = 0; i < 2; i++) expect((await jwks()).status).toBe(200);
      expectTooMany(await jwks());
      await own.stop();
      // The same, already limited, address is served while the counts are out of reach.
      for (let i = 0; i < 5; i++) expect((await jwks()).status).toBe(200);
    } finally {
      await own.stop();
    }
  });

  it('/health/* and /metrics are never limited', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '2' });
    for (let i = 0; i < 6; i++) {
      expect((await send(`${app.url}/health/live`, { from: '127.0.0.1' })).status).toBe(200);
      expect((await send(`${app.url}/metrics`, { from: '127.0.0.1' })).status).toBe(200);
    }
  });

  it('POST /oauth/token › counted per authenticated client (Basic or form), RFC 6749 JSON on 429', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '1000', RATE_LIMIT_TOKEN: '3' });
    const from = freshAddress();
    const a = await seedClient(app);
    const viaBasic = (secret = a.secret) =>
      send(`${app.url}/oauth/token`, {
        from,
        ...form({ grant_type: 'client_credentials' }),
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: basic({ clientId: a.clientId, secret }),
        },
      });
    const viaForm = (c: { clientId: string; secret: string }) =>
      send(`${app.url}/oauth/token`, {
        from,
        ...form({
          grant_type: 'client_credentials',
          client_id: c.clientId,
          client_secret: c.secret,
        }),
      });
    // Failed authentications naming client A do not spend A's allowance.
    for (let i = 0; i < 4; i++) expect((await viaBasic('wrong-secret')).status).toBe(401);
    expect((await viaBasic()).status).toBe(200);
    expect((await viaForm(a)).status).toBe(200);
    expect((await viaBasic()).status).toBe(200);
    // The same client, whichever way it authenticates, is now over its 3 per window.
    expectTooMany(await viaForm(a));
    expectTooMany(await viaBasic());
    // Another client from the same address is not.
    expect((await viaForm(await seedClient(app))).status).toBe(200);
  });

  it('failed client credentials: the rate limiter’s shared check answers exactly as without limits (401 invalid_client, WWW-Authenticate)', async () => {
    const limited = await start({ RATE_LIMIT_ANONYMOUS: '1000' });
    const open = await startTestApp(db, { RATE_LIMIT_ENABLED: 'false' });
    apps.push(open);
    const a = await seedClient(limited);
    const unknown = 'cli_00000000000000000000000000';
    type Case = { path: string; headers: Record<string, string>; body: string };
    const cases: Case[] = [
      ['wrong-secret', a.clientId],
      ['any', unknown],
    ].flatMap(([secret, clientId]): Case[] => [
      {
        path: '/oauth/token',
        headers: { Authorization: basic({ clientId: clientId!, secret: secret! }) },
        body: 'grant_type=client_credentials',
      },
      {
        path: '/oauth/introspect',
        headers: {},
        body: new URLSearchParams({
          token: 'x',
          client_id: clientId!,
          client_secret: secret!,
        }).toString(),
      },
    ]);
    cases.push(
      { path: '/oauth/token', headers: { Authorization: 'Basic %%%' }, body: 'grant_type=x' },
      {
        path: '/oauth/token',
        headers: { Authorization: 'Bearer abc' },
        body: 'grant_type=client_credentials',
      },
      {
        path: '/oauth/token',
        headers: { Authorization: basic(a) },
        body: `grant_type=client_credentials&client_id=${a.clientId}&client_secret=${a.secret}`,
      },
      { path: '/oauth/revoke', headers: {}, body: `token=x&client_id=${a.clientId}` },
    );
    const answer = async (url: string, c: (typeof cases)[number]) => {
      const r = await send(`${url}${c.path}`, {
        from: freshAddress(),
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...c.headers },
        body: c.body,
      });
      const { 'www-authenticate': challenge, 'cache-control': cache } = r.headers;
      return { status: r.status, body: JSON.parse(r.body) as unknown, challenge, cache };
    };
    for (const c of cases) {
      const expected = await answer(open.url, c);
      expect(expected.status).toBeGreaterThanOrEqual(400);
      expect(expected.status).toBeLessThan(500);
      expect(await answer(limited.url, c)).toEqual(expected);
    }
    expect(await answer(limited.url, cases[0]!)).toEqual({
      status: 401,
      body: { error: 'invalid_client', error_description: 'client authentication failed' },
      challenge: 'Basic realm="tessera", charset="UTF-8"',
      cache: 'no-store',
    });
  });

  it('POST /oauth/introspect › an authenticated client is counted per client, not per address', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '5', RATE_LIMIT_AUTHENTICATED: '12' });
    const from = freshAddress();
    const rs = await seedClient(app);
    const introspect = (headers: Record<string, string>) =>
      send(`${app.url}/oauth/introspect`, {
        from,
        ...form({ token: 'not-a-token' }),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      });
    // Twice the anonymous allowance from one address, all answered.
    for (let i = 0; i < 10; i++) {
      const r = await introspect({ Authorization: basic(rs) });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ active: false });
    }
    // The principal's own allowance still holds (12 per window).
    for (let i = 0; i < 2; i++)
      expect((await introspect({ Authorization: basic(rs) })).status).toBe(200);
    expectTooMany(await introspect({ Authorization: basic(rs) }));
    const metrics = await send(`${app.url}/metrics`, { from: '127.0.0.1' });
    expect(metrics.body).toMatch(/^tessera_rate_limited_total\{scope="authenticated"\} [1-9]/m);
  });

  it('POST /oauth/introspect › without or with failing credentials, the address limit holds', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '5' });
    const rs = await seedClient(app);
    const introspect = (from: string, headers: Record<string, string>) =>
      send(`${app.url}/oauth/introspect`, {
        from,
        ...form({ token: 'not-a-token' }),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      });
    const none = freshAddress();
    for (let i = 0; i < 5; i++) expect((await introspect(none, {})).status).toBe(401);
    expectTooMany(await introspect(none, {}));
    // Garbage credentials, a different one each time, share the one address count.
    const garbage = freshAddress();
    const junk = () => basic({ clientId: rs.clientId, secret: randomBytes(8).toString('hex') });
    for (let i = 0; i < 5; i++)
      expect((await introspect(garbage, { Authorization: junk() })).status).toBe(401);
    expectTooMany(await introspect(garbage, { Authorization: junk() }));
    // The genuine client behind that same address is still served.
    expect((await introspect(garbage, { Authorization: basic(rs) })).status).toBe(200);
  });

  it('GET /api/v1/me › a valid bearer token is counted per token subject; a forged one per address', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '5', RATE_LIMIT_AUTHENTICATED: '8' });
    const from = freshAddress();
    const mint = async () => {
      // A fresh address: 127.0.0.1's count is shared (one Redis) with every other test.
      const minted = await send(`${app.url}/oauth/token`, {
        from: freshAddress(),
        ...form({ grant_type: 'client_credentials' }),
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: basic(await seedClient(app)),
        },
      });
      expect(minted.status).toBe(200);
      return (JSON.parse(minted.body) as { access_token: string }).access_token;
    };
    const [token, other] = [await mint(), await mint()];
    const me = (bearer: string) =>
      send(`${app.url}/api/v1/me`, { from, headers: { Authorization: `Bearer ${bearer}` } });
    // More than the address allows, up to the principal's own allowance; then 429.
    for (let i = 0; i < 8; i++) expect((await me(token)).status).toBe(200);
    expectTooMany(await me(token));
    // Another subject from the same address has its own count.
    expect((await me(other)).status).toBe(200);
    const [head, body] = other.split('.');
    const forged = () => me(`${head}.${body}.${randomBytes(64).toString('base64url')}`);
    for (let i = 0; i < 5; i++) expect((await forged()).status).toBe(401);
    expectTooMany(await forged());
    // The address is spent; a genuine bearer behind it is still served.
    expect((await me(other)).status).toBe(200);
  });

  it('POST /api/v1/tokens › session token minting is counted per session', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '1000', RATE_LIMIT_SESSION_MINT: '2' });
    const from = freshAddress();
    const { tenantId, slug } = await seedClient(app);
    const store = app.app.get<SessionStore>(DI.SessionStore);
    const users = app.app.get<UserUpsert>(DI.Users);
    const memberships = app.app.get<MembershipWriter>(DI.Memberships);
    const signedIn = async () => {
      const sub = randomBytes(8).toString('hex');
      const user = await users.upsert('https://idp.test/', sub, null, null);
      await memberships.set(tenantId, user.id, 'member');
      const csrf = randomBytes(32).toString('base64url');
      const { id } = await store.create({
        tenantId,
        tenantSlug: slug,
        userId: user.id,
        issuer: 'https://idp.test/',
        subject: sub,
        email: null,
        name: null,
        role: 'member',
        idToken: 'unused',
        csrf,
        createdAt: Date.now(),
      });
      return { Cookie: `tessera_session=${id}`, 'X-CSRF-Token': csrf };
    };
    const mint = (headers: Record<string, string>) =>
      send(`${app.url}/api/v1/tokens`, {
        from,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'ci' }),
      });
    const mine = await signedIn();
    expect((await mint(mine)).status).toBe(201);
    expect((await mint(mine)).status).toBe(201);
    expectTooMany(await mint(mine));
    // The account page's form shares the count, and its 429 page says when to retry too.
    const page = await send(`${app.url}/account/tokens`, {
      from,
      ...form({ _csrf: mine['X-CSRF-Token'], name: 'ci' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: mine.Cookie },
    });
    expect(page.status).toBe(429);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(Number(page.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(page.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another session from the same address still has its own allowance.
    expect((await mint(await signedIn())).status).toBe(201);
    // A forged session cookie is not a session: refused, and counted by address only.
    const forged = {
      Cookie: `tessera_session=${tenantId}.${randomBytes(32).toString('base64url')}`,
    };
    expect((await mint(forged)).status).toBe(401);
  });
});
