import type { TestBrowser } from '@tessera/testing/oidc-browser';
import {
  loginAtProvider,
  startSignInHarness,
  type SignInHarness,
} from '@tessera/testing/oidc-sign-in-harness';

jest.setTimeout(120_000);

describe('sign-in against a provider that returns claims only at UserInfo (OIDC Core §5.4)', () => {
  let h: SignInHarness;

  beforeAll(async () => {
    h = await startSignInHarness({
      accounts: {
        bob: { email: 'bob@acme.test', name: 'Bob Example', groups: ['tessera:acme:member'] },
      },
      tenants: ['acme'],
      redis: true,
      idp: { claimsAt: 'userinfo' },
    });
  });
  afterAll(async () => {
    await h?.idp.tamper(null).catch(() => undefined);
    await h?.close();
  });

  const sessionsInRedis = async () => (await h.sessionKeys('acme')).length;
  const sessionCookie = async (b: TestBrowser) =>
    (await b.context.cookies(h.app.url)).find((c) => c.name === 'tessera_session');

  it('the ID token has no groups, UserInfo does → signed in with the role its groups grant', async () => {
    const b = await h.newBrowser();
    const page = await b.context.newPage();
    await page.goto(`${h.app.url}/auth/login?tenant=acme`);
    await loginAtProvider(page, 'bob');
    await page.waitForURL(`${h.app.url}/account`);
    await expect(page.locator('#who-role').textContent()).resolves.toBe('member');
    await expect(page.locator('#who-email').textContent()).resolves.toBe('bob@acme.test');
    await expect(page.locator('#who-name').textContent()).resolves.toBe('Bob Example');
    const cookie = (await sessionCookie(b))!;
    const me = await fetch(`${h.app.url}/api/v1/me`, {
      headers: { cookie: `tessera_session=${cookie.value}` },
    });
    await expect(me.json()).resolves.toMatchObject({ via: 'session', role: 'member' });
    const [key] = await h.sessionKeys('acme');
    const stored = JSON.parse((await h.redis.get(key!))!) as { idToken: string };
    const idClaims = JSON.parse(
      Buffer.from(stored.idToken.split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(idClaims.groups).toBeUndefined();
    expect(idClaims.email).toBeUndefined();
  });

  it('UserInfo answers with a sub other than the ID token’s → refused, no session', async () => {
    await h.idp.tamper('userinfo-sub');
    const b = await h.newBrowser();
    const page = await b.context.newPage();
    const before = await sessionsInRedis();
    await page.goto(`${h.app.url}/auth/login?tenant=acme`);
    await loginAtProvider(page, 'bob');
    await page.waitForURL((u) => u.pathname === '/auth/callback');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/could not be verified/);
    expect(await sessionCookie(b)).toBeUndefined();
    expect(await sessionsInRedis()).toBe(before);
    await h.idp.tamper(null);
  });
});
