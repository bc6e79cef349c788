import type { Page } from 'playwright-core';
import type { TestBrowser } from '@tessera/testing/oidc-browser';
import {
  loginAtProvider,
  startSignInHarness,
  type SignInHarness,
} from '@tessera/testing/oidc-sign-in-harness';
import { createTestDatabase } from '@tessera/testing/test-database';
import { startTestApp } from '@tessera/testing/test-app';

jest.setTimeout(120_000);

describe('sign-in refusals (real browser, real provider): no session is ever created', () => {
  let h: SignInHarness;

  beforeAll(async () => {
    h = await startSignInHarness({
      accounts: {
        alice: { email: 'alice@acme.test', groups: ['tessera:acme:member'] },
        mallory: { email: 'mallory@acme.test', groups: ['tessera:other:owner', 'acme'] },
      },
      tenants: ['acme', 'other'],
      redis: true,
    });
  });
  afterAll(async () => {
    await h?.idp.tamper(null).catch(() => undefined);
    await h?.close();
  });

  const sessionsInRedis = async () =>
    (await h.sessionKeys('acme')).length + (await h.sessionKeys('other')).length;

  async function browserPage(): Promise<{ b: TestBrowser; page: Page }> {
    const b = await h.newBrowser();
    return { b, page: await b.context.newPage() };
  }

  /** Refused on the callback, with no session cookie and no new session server-side. */
  async function expectRefused(b: TestBrowser, page: Page, text: RegExp, sessionsBefore: number) {
    await page.waitForURL((u) => u.pathname === '/auth/callback');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(text);
    const cookies = await b.context.cookies(h.app.url);
    expect(cookies.find((c) => c.name === 'tessera_session')).toBeUndefined();
    expect(cookies.find((c) => c.name === 'tessera_login')).toBeUndefined();
    expect(await sessionsInRedis()).toBe(sessionsBefore);
  }

  it('callback with a mismatched state → refused before any call to the IdP', async () => {
    const { b, page } = await browserPage();
    await page.goto(`${h.app.url}/auth/login?tenant=acme`);
    // Another sign-in started meanwhile (another tab): this browser's pending login now
    // expects that one's state, not the one the provider is about to send back.
    const other = await fetch(`${h.app.url}/auth/login?tenant=acme`, { redirect: 'manual' });
    const otherPending = /tessera_login=([^;]+)/.exec(other.headers.get('set-cookie')!)![1]!;
    await b.context.addCookies([
      {
        name: 'tessera_login',
        value: otherPending,
        url: h.app.url,
        httpOnly: true,
        sameSite: 'Lax',
      },
    ]);
    const [before, sessions] = [await h.idp.tokenRequests(), await sessionsInRedis()];
    await loginAtProvider(page, 'alice');
    await expectRefused(b, page, /does not match/, sessions);
    expect(await h.idp.tokenRequests()).toBe(before);
  });

  it('callback without the pending-login cookie → refused before any call to the IdP', async () => {
    const { b, page } = await browserPage();
    await page.goto(`${h.app.url}/auth/login?tenant=acme`);
    await b.context.clearCookies({ name: 'tessera_login' });
    const [before, sessions] = [await h.idp.tokenRequests(), await sessionsInRedis()];
    await loginAtProvider(page, 'alice');
    await expectRefused(b, page, /not started in this browser/, sessions);
    expect(await h.idp.tokenRequests()).toBe(before);
  });

  it.each([
    ['a nonce other than the one sent', 'nonce'],
    ['another issuer', 'iss'],
    ['another audience', 'aud'],
    ['a signature by a key not in the provider’s JWKS', 'signature'],
  ] as const)('ID token with %s → sign-in fails', async (_what, kind) => {
    await h.idp.tamper(kind);
    try {
      const { b, page } = await browserPage();
      const sessions = await sessionsInRedis();
      await page.goto(`${h.app.url}/auth/login?tenant=acme`);
      await loginAtProvider(page, 'alice');
      await expectRefused(b, page, /could not be verified/, sessions);
    } finally {
      await h.idp.tamper(null);
    }
  });

  it('a user whose groups grant nothing in the tenant → readable 403 page', async () => {
    const { b, page } = await browserPage();
    const sessions = await sessionsInRedis();
    const res = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/callback');
    await page.goto(`${h.app.url}/auth/login?tenant=acme`);
    await loginAtProvider(page, 'mallory');
    expect((await res).status()).toBe(403);
    await expectRefused(b, page, /no access to the tenant "acme"/, sessions);
  });

  it.each([
    '//evil.example',
    '/\\evil.example',
    'https:evil.example',
    '/a\r\nb',
    '/..//evil.example',
  ])('return_to=%j → refused at /auth/login: no redirect, no pending login', async (returnTo) => {
    const res = await fetch(
      `${h.app.url}/auth/login?tenant=acme&return_to=${encodeURIComponent(returnTo)}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    await expect(res.text()).resolves.toContain('return_to must be a path on this site');
  });

  it('session fixation: a cookie planted before sign-in no longer works after it', async () => {
    const me = (id: string) =>
      fetch(`${h.app.url}/api/v1/me`, { headers: { cookie: `tessera_session=${id}` } });
    const sessionOf = async (b: TestBrowser) =>
      (await b.context.cookies(h.app.url)).find((c) => c.name === 'tessera_session')?.value;

    const attacker = await browserPage();
    await attacker.page.goto(`${h.app.url}/auth/login?tenant=acme`);
    await loginAtProvider(attacker.page, 'alice');
    await attacker.page.waitForURL(`${h.app.url}/account`);
    const planted = (await sessionOf(attacker.b))!;
    expect((await me(planted)).status).toBe(200);

    const victim = await browserPage();
    await victim.b.context.addCookies([
      { name: 'tessera_session', value: planted, url: h.app.url, httpOnly: true, sameSite: 'Lax' },
    ]);
    await victim.page.goto(`${h.app.url}/auth/login?tenant=acme`);
    await loginAtProvider(victim.page, 'alice');
    await victim.page.waitForURL(`${h.app.url}/account`);
    const after = (await sessionOf(victim.b))!;
    expect(after).not.toBe(planted);
    expect((await me(planted)).status).toBe(401);
    expect((await me(after)).status).toBe(200);
  });
});

describe('sign-in without OIDC configuration', () => {
  it('GET /auth/login answers a readable 503 page, not a stack trace', async () => {
    const db = await createTestDatabase();
    const app = await startTestApp(db);
    try {
      const res = await fetch(`${app.url}/auth/login?tenant=acme`, { redirect: 'manual' });
      expect(res.status).toBe(503);
      await expect(res.text()).resolves.toContain('sign-in is not configured');
      const cb = await fetch(`${app.url}/auth/callback?code=x&state=y`, { redirect: 'manual' });
      expect(cb.status).toBe(503);
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
