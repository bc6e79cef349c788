import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT, decodeJwt, importPKCS8 } from 'jose';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { cliEnvFor, runCli, seedClientViaCli } from '@tessera/testing/cli-process';
import { freePort } from '@tessera/testing/redis-server';
import { ContractFeedServer } from '@tessera/testing/contract-feed-server';
import { startExampleApi, type ExampleApiProcess } from '@tessera/testing/example-api-process';
import { clientCredentialsToken } from '../support/oauth';

/**
 * The example API on @tessera/resource-server against a real Tessera process with a
 * contract-speaking fake feed: token verification rules only (hostile tokens need Tessera's
 * default audience set to API A's identifier). Revocation, fail-closed and key rotation with the
 * real feed: resource-server-feed.e2e-spec.ts.
 */
const API_A = 'https://invoices-a.example';
const API_B = 'https://invoices-b.example';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('@tessera/resource-server › example API against a running Tessera', () => {
  let db: TestDatabase;
  let tessera: ServerProcess;
  let feedA: ContractFeedServer;
  let feedB: ContractFeedServer;
  let apiA: ExampleApiProcess;
  let apiB: ExampleApiProcess;
  let readWrite: { clientId: string; secret: string };
  let readOnly: { clientId: string; secret: string };
  let issuer: string;

  const token = (c: { clientId: string; secret: string }, scope: string) =>
    clientCredentialsToken(tessera.url, c, { scope });
  const call = (api: ExampleApiProcess, method: string, route: string, t?: string) =>
    fetch(`${api.url}${route}`, {
      method,
      headers: {
        ...(t ? { authorization: `Bearer ${t}` } : {}),
        'content-type': 'application/json',
      },
      ...(method === 'POST' ? { body: JSON.stringify({ amount: 42 }) } : {}),
    });
  /** Signs with Tessera's own (development) key: tokens Tessera would never issue. */
  const forge = async (claims: Record<string, unknown>, header: Record<string, unknown>) => {
    const dir = path.join(tessera.dataDir, 'keys');
    const file = readdirSync(dir).find((f) => f.endsWith('.pem') && !f.endsWith('.pub.pem'))!;
    const key = await importPKCS8(readFileSync(path.join(dir, file), 'utf8'), 'ES256');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: file.slice(0, -4), ...header })
      .sign(key);
  };
  const startApi = (identifier: string, feed: ContractFeedServer) =>
    startExampleApi({
      TESSERA_ISSUER: issuer,
      RESOURCE_IDENTIFIER: identifier,
      RESOURCE_CLIENT_ID: feed.credentials.clientId,
      RESOURCE_CLIENT_SECRET: feed.credentials.clientSecret,
      REVOCATION_EVENTS_ENDPOINT: `${feed.url}/oauth/revocation-events`,
    });
  const live = async (api: ExampleApiProcess) => {
    const deadline = Date.now() + 30_000;
    while ((await fetch(`${api.url}/health`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`API not live:\n${api.output()}`);
      await sleep(100);
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const env = { ISSUER: issuer, ACCESS_TOKEN_AUDIENCE: API_A };
    tessera = await startServerProcess(db, { env, port });
    const cliEnv = cliEnvFor(db, tessera, env);
    const seeded = await seedClientViaCli(cliEnv, {
      grants: ['client_credentials'],
      scopes: ['invoices:read', 'invoices:write'],
    });
    readWrite = seeded;
    const ro = await runCli(
      cliEnv,
      ...['client', 'create', '--tenant', seeded.slug, '--name', 'reader'],
      ...['--grants', 'client_credentials', '--scopes', 'invoices:read', '--json'],
    );
    expect(ro.code).toBe(0);
    readOnly = { clientId: ro.json().client_id!, secret: ro.json().client_secret! };
    feedA = new ContractFeedServer(API_A, { clientId: 'rs_a', clientSecret: 'rs-a-secret' });
    feedB = new ContractFeedServer(API_B, { clientId: 'rs_b', clientSecret: 'rs-b-secret' });
    await Promise.all([feedA.start(), feedB.start()]);
    [apiA, apiB] = await Promise.all([startApi(API_A, feedA), startApi(API_B, feedB)]);
    await Promise.all([live(apiA), live(apiB)]);
  });
  afterAll(async () => {
    await apiA?.kill();
    await apiB?.kill();
    await feedA?.stop();
    await feedB?.stop();
    await tessera?.kill();
    await db?.drop();
  });

  it('client_credentials token › verified offline; scopes per route (Nest guard and AuthGuard("tessera"))', async () => {
    const t = await token(readWrite, 'invoices:read invoices:write');
    expect(decodeJwt(t).aud).toBe(API_A);
    const created = await call(apiA, 'POST', '/invoices', t);
    expect(created.status).toBe(201);
    const list = await call(apiA, 'GET', '/invoices', t);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { invoices: unknown[] }).invoices).toHaveLength(1);
    const me = await call(apiA, 'GET', '/me', t);
    expect(await me.json()).toMatchObject({ client_id: readWrite.clientId });
  });

  it('missing scope › 403 with WWW-Authenticate error="insufficient_scope" (RFC 6750 §3.1)', async () => {
    const t = await token(readOnly, 'invoices:read');
    expect((await call(apiA, 'GET', '/invoices', t)).status).toBe(200);
    const r = await call(apiA, 'POST', '/invoices', t);
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toBe(
      `Bearer realm="${API_A}", error="insufficient_scope", scope="invoices:write"`,
    );
    expect(await r.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('a token for API A › refused by API B with 401 invalid_token; a token naming B is accepted', async () => {
    const t = await token(readWrite, 'invoices:read');
    // The same answer through TesseraGuard (/invoices) and AuthGuard('tessera') (/me).
    for (const route of ['/invoices', '/me']) {
      const r = await call(apiB, 'GET', route, t);
      expect([route, r.status]).toEqual([route, 401]);
      expect(r.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect([route, await r.json()]).toEqual([
        route,
        { error: 'invalid_token', error_description: expect.any(String) },
      ]);
    }
    const claims = { ...decodeJwt(t), aud: API_B };
    const forB = await forge(claims, { typ: 'at+jwt' });
    expect((await call(apiB, 'GET', '/invoices', forB)).status).toBe(200);
  });

  it('no token › 401 with a bare Bearer challenge; hostile tokens › 401 invalid_token', async () => {
    for (const route of ['/invoices', '/me']) {
      const none = await call(apiA, 'GET', route);
      expect([route, none.status]).toEqual([route, 401]);
      expect(none.headers.get('www-authenticate')).toBe(`Bearer realm="${API_A}"`);
      expect([route, await none.json()]).toEqual([
        route,
        { error_description: 'a bearer access token is required' },
      ]);
    }
    const t = await token(readWrite, 'invoices:read');
    const [h, p, s] = t.split('.');
    const claims = decodeJwt(t);
    const hostile = {
      'alg none': `${b64({ alg: 'none', typ: 'at+jwt' })}.${p}.`,
      'bad signature': `${h}.${b64({ ...claims, scope: 'invoices:write' })}.${s}`,
      'typ JWT under Tessera’s key': await forge(claims, { typ: 'JWT' }),
      'a jwk header under Tessera’s key': await forge(claims, {
        typ: 'at+jwt',
        jwk: { kty: 'EC' },
      }),
    };
    for (const [name, bad] of Object.entries(hostile)) {
      const r = await call(apiA, 'GET', '/invoices', bad);
      expect([name, r.status]).toEqual([name, 401]);
      expect(r.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    }
  });
});
