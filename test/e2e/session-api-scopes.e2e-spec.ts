import { DI } from '@tessera/application/di-tokens';
import type { TenantDirectory } from '@tessera/application/tenant/tenant-directory.port';
import {
  sessionCsrf,
  signInWithBrowser,
  startSignInHarness,
  type SignInHarness,
} from '@tessera/testing/oidc-sign-in-harness';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('session API › bearer scopes (RFC 6750 §3.1) and tenant status at every request', () => {
  let h: SignInHarness;

  beforeAll(async () => {
    h = await startSignInHarness({
      accounts: {
        carol: { email: 'carol@acme.test', groups: ['tessera:acme:member', 'tessera:beta:member'] },
      },
      tenants: ['acme', 'beta'],
      redis: true,
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Signs carol in to `tenant` in a fresh browser; the cookie header and its CSRF token. */
  async function signIn(tenant: string) {
    const b = await h.newBrowser();
    const { page, cookie } = await signInWithBrowser(b, h.app.url, 'carol', tenant);
    return { page, cookie, csrf: await sessionCsrf(h.app.url, cookie) };
  }
  const mint = (s: { cookie: string; csrf: string }, scopes: string) =>
    fetch(`${h.app.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: JSON.stringify({ name: scopes, scopes }),
    });
  const api = (method: string, path: string, token: string) =>
    fetch(`${h.app.url}/api/v1/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: method === 'POST' ? JSON.stringify({ scopes: 'api:read' }) : undefined,
    });
  async function expectInsufficient(res: Response, scope: string) {
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="tessera", error="insufficient_scope", scope="${scope}"`,
    );
    await expect(res.json()).resolves.toMatchObject({ error: 'insufficient_scope' });
  }

  it('an api:read bearer token lists tokens but cannot create or delete them (403 insufficient_scope)', async () => {
    const s = await signIn('acme');
    const read = (await (await mint(s, 'api:read')).json()) as { access_token: string };
    const other = (await (await mint(s, 'api:read api:write')).json()) as { jti: string };

    const listed = await api('GET', 'tokens', read.access_token);
    expect(listed.status).toBe(200);
    await expectInsufficient(await api('POST', 'tokens', read.access_token), 'api:write');
    await expectInsufficient(
      await api('DELETE', `tokens/${other.jti}`, read.access_token),
      'api:write',
    );

    const { tokens } = (await (
      await fetch(`${h.app.url}/api/v1/tokens`, { headers: { cookie: s.cookie } })
    ).json()) as { tokens: { id: string; revoked_at: string | null }[] };
    expect(tokens.find((t) => t.id === other.jti)).toMatchObject({ revoked_at: null });
  });

  it('an api:write bearer token may delete but not read (needs api:read), and still cannot mint', async () => {
    const s = await signIn('acme');
    const write = (await (await mint(s, 'api:write')).json()) as { access_token: string };
    const victim = (await (await mint(s, 'api:read')).json()) as { jti: string };
    await expectInsufficient(await api('GET', 'tokens', write.access_token), 'api:read');
    expect((await api('DELETE', `tokens/${victim.jti}`, write.access_token)).status).toBe(204);
    const minted = await api('POST', 'tokens', write.access_token);
    expect(minted.status).toBe(403);
    await expect(minted.json()).resolves.toMatchObject({ error: 'access_denied' });
    // A cookie session keeps its CSRF rule.
    const noCsrf = await fetch(`${h.app.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie },
      body: JSON.stringify({ scopes: 'api:read' }),
    });
    expect(noCsrf.status).toBe(403);
  });

  it('a disabled tenant’s session is refused at the next request and cannot mint', async () => {
    const s = await signIn('beta');
    expect((await mint(s, 'api:read')).status).toBe(201);
    await h.app.app.get<TenantDirectory>(DI.Tenants).disable('beta');
    // Within the tenant-status cache time (5 s); polled, with a generous bound.
    const t0 = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - t0 < 30_000) {
      await sleep(100);
      status = (await fetch(`${h.app.url}/api/v1/me`, { headers: { cookie: s.cookie } })).status;
    }
    expect(status).toBe(403);
    const refused = await mint(s, 'api:read');
    expect(refused.status).toBe(403);
    await expect(refused.json()).resolves.toMatchObject({ error: 'access_denied' });
    const page = await s.page.goto(`${h.app.url}/account`);
    expect(page!.status()).toBe(403);
    await expect(s.page.getByRole('alert').textContent()).resolves.toMatch(/disabled/);
  });
});
