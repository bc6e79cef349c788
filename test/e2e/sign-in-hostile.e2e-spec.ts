import { randomBytes } from 'node:crypto';
import { DI } from '@tessera/application/di-tokens';
import type { SessionStore } from '@tessera/application/session/session-store.port';
import type { MembershipWriter, UserUpsert } from '@tessera/application/sign-in/directory.ports';
import { startSignInHarness, type SignInHarness } from '@tessera/testing/oidc-sign-in-harness';

jest.setTimeout(60_000);

/** Hostile input on the browser-facing routes: always a readable 4xx/3xx, never a 5xx. */
describe('sign-in routes › hostile input is refused without a 5xx', () => {
  let h: SignInHarness;
  beforeAll(async () => {
    // Limits on (high): the rate limiter's credential checks see the same junk first.
    h = await startSignInHarness({
      accounts: {},
      tenants: ['acme'],
      redis: true,
      env: {
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_ANONYMOUS: '100000',
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const pendingCookie = async () => {
    const r = await fetch(`${h.app.url}/auth/login?tenant=acme`, { redirect: 'manual' });
    const setCookie = r.headers.get('set-cookie')!;
    const state = new URL(r.headers.get('location')!).searchParams.get('state')!;
    return { cookie: setCookie.split(';')[0]!, state };
  };

  const req = (path: string, init: RequestInit = {}) =>
    fetch(`${h.app.url}${path}`, { redirect: 'manual', ...init });

  const hugeCookie = `tessera_session=${'a'.repeat(7000)}; tessera_login=${'b'.repeat(7000)}`;
  const junkCookies = [
    'tessera_session=%E0%A4%A; tessera_login=%',
    'tessera_session=tnt_x.y; tessera_login=../../etc',
    `tessera_session=${'x'.repeat(199)}.${'y'.repeat(43)}`,
    'tessera_session=; tessera_session=a; =; ;;',
    hugeCookie,
  ];

  it.each([
    '/auth/callback',
    '/auth/callback?state=%',
    '/auth/callback?state[]=a&code[x]=b',
    '/auth/callback?state=a&state=b&code=c&code=d',
    '/auth/callback?error=access_denied&error_description=%3Cscript%3E',
    '/auth/callback?iss=https%3A%2F%2Fevil.example&code=c&state=x',
  ])('GET %s (with junk cookies) → 4xx page', async (path) => {
    for (const cookie of [undefined, ...junkCookies]) {
      const r = await req(path, { headers: cookie ? { cookie } : {} });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(await r.text()).not.toContain('<script>');
    }
  });

  it('GET /auth/callback with a genuine pending login but hostile parameters → 4xx', async () => {
    for (const extra of [
      `code=${'c'.repeat(6000)}`,
      'code[x]=1',
      'code=%',
      'code=a&code=b',
      'iss=x&iss=y',
      'error=%00',
    ]) {
      const { cookie, state } = await pendingCookie();
      const r = await req(`/auth/callback?state=${state}&${extra}`, { headers: { cookie } });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
  });

  it.each([
    ['GET', '/auth/login?tenant[]=acme&return_to[x]=y'],
    ['GET', '/auth/login?tenant=%3Cscript%3E&return_to=%'],
    ['GET', '/sign-in?tenant=%3Cscript%3E&return_to=%22%3E%3Cscript%3E'],
    ['GET', '/account'],
    ['POST', '/auth/logout'],
    ['GET', '/api/v1/me'],
    ['GET', '/api/v1/tokens'],
    ['POST', '/api/v1/tokens'],
    ['DELETE', '/api/v1/tokens/..%2F..%2Fetc'],
    ['POST', '/account/tokens'],
    ['POST', '/account/tokens/%00/revoke'],
  ])('%s %s with junk cookies → no 5xx, nothing reflected unescaped', async (method, path) => {
    for (const cookie of [undefined, ...junkCookies]) {
      const r = await req(path, {
        method,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(cookie ? { cookie } : {}),
        },
        body: method === 'POST' ? '_csrf=x&name=%3Cscript%3E' : undefined,
      });
      expect(r.status).toBeLessThan(500);
      expect(await r.text()).not.toContain('<script>');
    }
  });

  it('a forged cross-site GET /auth/callback does not sign the victim out', async () => {
    const app = h.app.app;
    const user = await app
      .get<UserUpsert>(DI.Users)
      .upsert('https://idp.test/', randomBytes(8).toString('hex'), null, null);
    await app.get<MembershipWriter>(DI.Memberships).set(h.tenants.acme!, user.id, 'member');
    const { id } = await app.get<SessionStore>(DI.SessionStore).create({
      tenantId: h.tenants.acme!,
      tenantSlug: 'acme',
      userId: user.id,
      issuer: 'https://idp.test/',
      subject: 's',
      email: null,
      name: null,
      role: 'member',
      idToken: 'unused',
      csrf: 'c',
      createdAt: Date.now(),
    });
    const cookie = `tessera_session=${id}`;
    const forged = await req('/auth/callback?code=x&state=y', { headers: { cookie } });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie') ?? '').not.toMatch(/tessera_session=;/);
    expect((await req('/api/v1/me', { headers: { cookie } })).status).toBe(200);
  });
});
