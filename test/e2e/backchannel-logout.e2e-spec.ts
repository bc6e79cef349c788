import { randomUUID } from 'node:crypto';
import { cliEnvFor, runCli } from '@tessera/testing/cli-process';
import { launchBrowser, type TestBrowser } from '@tessera/testing/oidc-browser';
import {
  backchannelClient,
  CLIENT_ID,
  CLIENT_SECRET,
  freePort,
  signInWithBrowser,
} from '@tessera/testing/oidc-sign-in-harness';
import { startOidcProvider, type OidcTestProvider } from '@tessera/testing/oidc-test-provider';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

jest.setTimeout(240_000);

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/**
 * The provider (oidc-provider with backchannelLogout) posts its logout token to node a; the
 * session must be gone on node b too. Nodes are separate processes over one Postgres and the
 * suite's Redis.
 */
describe('OpenID Connect Back-Channel Logout › POST /auth/backchannel-logout on two nodes', () => {
  let db: TestDatabase;
  let idp: OidcTestProvider;
  let a: ServerProcess;
  let b: ServerProcess;
  const browsers: TestBrowser[] = [];
  let nodeEnv: Record<string, string>;

  beforeAll(async () => {
    const [idpPort, portA, portB] = await distinctPorts(3);
    const urlA = `http://127.0.0.1:${portA}`;
    db = await createTestDatabase();
    idp = await startOidcProvider({
      port: idpPort,
      client: {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${urlA}/auth/callback`],
        post_logout_redirect_uris: [`${urlA}/auth/signed-out`],
        ...backchannelClient(urlA),
      },
      accounts: { alice: { email: 'alice@acme.test', groups: ['tessera:acme:member'] } },
      backchannelLogout: true,
    });
    const env = {
      REDIS_URL: process.env.TEST_REDIS_URL!,
      ISSUER: urlA,
      OIDC_ISSUER_URL: idp.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URI: `${urlA}/auth/callback`,
    };
    nodeEnv = env;
    a = await startServerProcess(db, { env, port: portA });
    b = await startServerProcess(db, { env: { ...env, DATA_DIR: a.dataDir }, port: portB });
    const created = await runCli(cliEnvFor(db, a), 'tenant', 'create', 'acme', '--json');
    expect(created.code).toBe(0);
  });
  afterAll(async () => {
    for (const br of browsers) await br.close();
    await a?.kill();
    await b?.kill();
    await idp?.stop();
    await db?.drop().catch(() => undefined);
  });

  /** A fresh browser signed in through node a; returns its session cookie. */
  async function signIn() {
    const browser = await launchBrowser();
    browsers.push(browser);
    return signInWithBrowser(browser, a.url, 'alice');
  }
  const status = async (node: ServerProcess, cookie: string) =>
    (await fetch(`${node.url}/api/v1/me`, { headers: { cookie } })).status;
  const post = (node: ServerProcess, body: Record<string, string>) =>
    fetch(`${node.url}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
  const logoutClaims = (over: Record<string, unknown> = {}) => ({
    iss: idp.issuer,
    aud: CLIENT_ID,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 120,
    jti: randomUUID(),
    sub: 'alice',
    events: { [EVENT]: {} },
    ...over,
  });
  async function untilRefused(node: ServerProcess, cookie: string): Promise<number> {
    const t0 = performance.now();
    while ((await status(node, cookie)) !== 401) {
      if (performance.now() - t0 > 30_000) throw new Error('session still alive after 30 s');
      await sleep(2);
    }
    return performance.now() - t0;
  }

  it('the provider ends its session → the Tessera session is gone on both nodes (time to node b printed)', async () => {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { page, cookie } = await signIn();
      expect(await status(a, cookie)).toBe(200);
      expect(await status(b, cookie)).toBe(200);
      // Logout elsewhere: at the provider itself, not through Tessera's /auth/logout.
      await page.goto(`${idp.issuer}session/end`);
      const t0 = performance.now();
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      await untilRefused(b, cookie);
      samples.push(performance.now() - t0);
      expect(await status(a, cookie)).toBe(401);
    }
    console.log(
      `back-channel logout: provider "sign out" click → session refused on node b: ${samples
        .map((s) => `${s.toFixed(0)} ms`)
        .join(', ')}`,
    );
  });

  it('a logout token naming the user (sub only), accepted at node a → 200 no-store; node b refuses the session', async () => {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { cookie } = await signIn();
      expect(await status(b, cookie)).toBe(200);
      const res = await post(a, { logout_token: await idp.sign(logoutClaims()) });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      samples.push(await untilRefused(b, cookie));
      expect(await status(a, cookie)).toBe(401);
    }
    console.log(
      `back-channel logout: node a's 200 → session refused on node b: ${samples
        .map((s) => `${s.toFixed(1)} ms`)
        .join(', ')}`,
    );
  });

  it('a replayed logout token (at the other node) → 400 invalid_request, no session ended', async () => {
    const token = await idp.sign(logoutClaims());
    expect((await post(a, { logout_token: token })).status).toBe(200);
    const { cookie } = await signIn();
    const replay = await post(b, { logout_token: token });
    expect(replay.status).toBe(400);
    await expect(replay.json()).resolves.toMatchObject({ error: 'invalid_request' });
    expect(await status(a, cookie)).toBe(200);
    expect(await status(b, cookie)).toBe(200);
  });

  it('hostile logout tokens → 400 invalid_request (JSON, no-store), no session ended', async () => {
    const { cookie } = await signIn();
    const hostile: Record<string, Promise<string>> = {
      'wrong aud': idp.sign(logoutClaims({ aud: 'another-client' })),
      'with a nonce': idp.sign(logoutClaims({ nonce: 'n-1' })),
      unsigned: idp.sign(logoutClaims(), { key: 'none' }),
      'signed by another key': idp.sign(logoutClaims(), { key: 'stranger' }),
      'wrong iss': idp.sign(logoutClaims({ iss: 'http://127.0.0.1:9/application/o/other/' })),
      'no logout event': idp.sign(logoutClaims({ events: { 'urn:other': {} } })),
      'neither sid nor sub': idp.sign(logoutClaims({ sub: undefined })),
      'iat an hour ago': idp.sign(logoutClaims({ iat: Math.floor(Date.now() / 1000) - 3600 })),
      // Back-Channel Logout 1.0 §2.4 (final, errata set 1): exp is REQUIRED.
      'no exp': idp.sign(logoutClaims({ exp: undefined })),
      'an access token type': idp.sign(logoutClaims(), { header: { typ: 'at+jwt' } }),
      'not a JWT': Promise.resolve('not.a.jwt'),
    };
    for (const [name, token] of Object.entries(hostile)) {
      for (const node of [a, b]) {
        const res = await post(node, { logout_token: await token });
        expect({ name, status: res.status }).toEqual({ name, status: 400 });
        expect(res.headers.get('cache-control')).toBe('no-store');
        await expect(res.json()).resolves.toMatchObject({ error: 'invalid_request' });
      }
    }
    const missing = await post(a, {});
    expect(missing.status).toBe(400);
    const asJson = await fetch(`${a.url}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ logout_token: await idp.sign(logoutClaims()) }),
    });
    expect(asJson.status).toBe(400);
    expect(await status(a, cookie)).toBe(200);
    expect(await status(b, cookie)).toBe(200);
  });

  it('rate limits on: a mass logout from the IdP (one address) is counted per verified issuer, not against the anonymous limit; junk still is', async () => {
    const c = await startServerProcess(db, {
      env: {
        ...nodeEnv,
        DATA_DIR: a.dataDir,
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_ANONYMOUS: '5',
        // Counters in this node's memory: the suite's Redis is shared with other files whose
        // requests also come from 127.0.0.1.
        REDIS_URL: undefined,
      },
    });
    try {
      // Three times the anonymous limit of verified logout tokens, all from 127.0.0.1.
      for (let i = 0; i < 15; i++) {
        const token = await idp.sign(logoutClaims({ sub: `mass-${i}-${randomUUID()}` }));
        const res = await post(c, { logout_token: token });
        expect({ i, status: res.status }).toEqual({ i, status: 200 });
      }
      // Junk from the same address meets the anonymous limit (5 per window).
      const junk: number[] = [];
      for (let i = 0; i < 8; i++) {
        junk.push((await post(c, { logout_token: `junk.${i}.token` })).status);
      }
      expect(junk.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
      expect(junk.slice(5)).toEqual([429, 429, 429]);
      // The address is now over its anonymous limit; the IdP's next logout still gets through.
      const after = await post(c, { logout_token: await idp.sign(logoutClaims()) });
      expect(after.status).toBe(200);
    } finally {
      await c.kill();
    }
  });
});
