import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import { newId } from '@tessera/domain/shared/ids';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';

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
  const start = async (env: Record<string, string>) => {
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
    await db?.drop();
  });

  it('two nodes over one Redis share the per-address count; 429 carries Retry-After', async () => {
    const env = { RATE_LIMIT_ANONYMOUS: '6' };
    const [a, b] = [await start(env), await start(env)];
    const from = freshAddress();
    const jwks = (app: RunningApp) => send(`${app.url}/.well-known/jwks.json`, { from });
    for (let i = 0; i < 3; i++) expect((await jwks(a)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await jwks(b)).status).toBe(200);
    expectTooMany(await jwks(a));
    expectTooMany(await jwks(b));
    // A different client address has its own count.
    expect((await send(`${a.url}/.well-known/jwks.json`, { from: freshAddress() })).status).toBe(
      200,
    );
    const metrics = await send(`${a.url}/metrics`, { from: '127.0.0.1' });
    expect(metrics.body).toMatch(/^tessera_rate_limited_total\{scope="anonymous"\} [1-9]/m);
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

  it('/health/* and /metrics are never limited', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '2' });
    for (let i = 0; i < 6; i++) {
      expect((await send(`${app.url}/health/live`, { from: '127.0.0.1' })).status).toBe(200);
      expect((await send(`${app.url}/metrics`, { from: '127.0.0.1' })).status).toBe(200);
    }
  });

  it('POST /oauth/token › counted per client_id (Basic or form), RFC 6749 JSON on 429', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '1000', RATE_LIMIT_TOKEN: '3' });
    const from = freshAddress();
    const clientA = `cli_${randomBytes(6).toString('hex')}`;
    const basicA = `Basic ${Buffer.from(`${clientA}:wrong-secret`).toString('base64')}`;
    const viaBasic = () =>
      send(`${app.url}/oauth/token`, {
        from,
        ...form({ grant_type: 'client_credentials' }),
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: basicA,
        },
      });
    const viaForm = (clientId: string) =>
      send(`${app.url}/oauth/token`, {
        from,
        ...form({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'x' }),
      });
    const first = await viaBasic();
    expect(first.status).not.toBe(429);
    expect(first.status).not.toBe(404);
    expect((await viaForm(clientA)).status).not.toBe(429);
    expect((await viaBasic()).status).not.toBe(429);
    // The same client, whichever way it names itself, is now over its 3 per window.
    expectTooMany(await viaForm(clientA));
    expectTooMany(await viaBasic());
    // Another client from the same address is not.
    expect((await viaForm(`cli_${randomBytes(6).toString('hex')}`)).status).not.toBe(429);
  });

  it('POST /api/v1/tokens › session token minting is counted per session', async () => {
    const app = await start({ RATE_LIMIT_ANONYMOUS: '1000', RATE_LIMIT_SESSION_MINT: '2' });
    const from = freshAddress();
    const sessionCookie = () =>
      `tessera_session=${newId('tenant')}.${randomBytes(32).toString('base64url')}`;
    const mint = (cookie: string) =>
      send(`${app.url}/api/v1/tokens`, {
        from,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie },
        body: JSON.stringify({ name: 'ci' }),
      });
    const mine = sessionCookie();
    const first = await mint(mine);
    expect(first.status).not.toBe(404);
    expect(first.status).not.toBe(429);
    expect((await mint(mine)).status).not.toBe(429);
    expectTooMany(await mint(mine));
    // Another session from the same address still has its own allowance.
    expect((await mint(sessionCookie())).status).not.toBe(429);
  });
});
