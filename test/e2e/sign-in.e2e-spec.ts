import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Page } from 'playwright-core';
import {
  loginAtProvider,
  startSignInHarness,
  type SignInHarness,
} from '@tessera/testing/oidc-sign-in-harness';
import type { TestBrowser } from '@tessera/testing/oidc-browser';

jest.setTimeout(120_000);

describe('sign-in through an OpenID provider (Authentik stand-in) in a real browser', () => {
  let h: SignInHarness;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    h = await startSignInHarness({
      accounts: {
        alice: {
          email: 'alice@acme.test',
          name: 'Alice Example',
          groups: ['tessera:acme:admin', 'tessera:other:viewer', 'staff'],
        },
      },
      tenants: ['acme'],
      redis: true,
    });
    browser = await h.newBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await h?.close();
  });

  const sessionCookie = async () =>
    (await browser.context.cookies(h.app.url)).find((c) => c.name === 'tessera_session');
  const me = (headers: Record<string, string>) => fetch(`${h.app.url}/api/v1/me`, { headers });

  it('code + PKCE sign-in → account page → token minted, verified by JWKS, revoked → sign-out ends both sessions', async () => {
    await page.goto(`${h.app.url}/sign-in?tenant=acme`);
    await page.getByRole('button', { name: /sign in/i }).click();
    expect(new URL(page.url()).origin).toBe(new URL(h.idp.issuer).origin);
    await loginAtProvider(page, 'alice');

    await page.waitForURL(`${h.app.url}/account`);
    await expect(page.locator('#who-email').textContent()).resolves.toBe('alice@acme.test');
    await expect(page.locator('#who-role').textContent()).resolves.toBe('admin');
    const cookie = await sessionCookie();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(page.url()).not.toContain(cookie!.value);
    const headers = await (await page.request.get(`${h.app.url}/account`)).headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');

    const cookieHeader = { cookie: `tessera_session=${cookie!.value}` };
    const viaSession = await me(cookieHeader);
    expect(viaSession.status).toBe(200);
    const who = (await viaSession.json()) as Record<string, unknown>;
    expect(who).toMatchObject({ via: 'session', role: 'admin', tenant: h.tenants.acme });

    // Create a token: shown once, in the page that answers the POST.
    await page.getByLabel('Name').fill('ci pipeline');
    await page.getByLabel('api:read').check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.locator('#minted-access-token').textContent())!.trim();
    expect(page.url()).not.toContain(token);
    const jwks = createRemoteJWKSet(new URL(`${h.app.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: h.app.url,
      audience: 'tessera-api',
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      org: h.tenants.acme,
      role: 'admin',
      client_id: 'tessera-console',
      scope: 'api:read',
      sub: who.sub,
    });

    const bearer = { authorization: `Bearer ${token}` };
    const viaBearer = await me(bearer);
    expect(viaBearer.status).toBe(200);
    await expect(viaBearer.json()).resolves.toMatchObject({ via: 'bearer', sub: who.sub });

    const listed = await fetch(`${h.app.url}/api/v1/tokens`, { headers: cookieHeader });
    const { tokens } = (await listed.json()) as { tokens: { id: string; name: string }[] };
    expect(tokens.map((t) => t.id)).toContain(payload.jti);

    await page
      .locator(`tr[data-jti="${payload.jti}"]`)
      .getByRole('button', { name: /revoke/i })
      .click();
    await page.waitForURL(`${h.app.url}/account`);
    await expect(page.locator(`tr[data-jti="${payload.jti}"]`).textContent()).resolves.toContain(
      'revoked',
    );
    expect((await me(bearer)).status).toBe(401);

    // Sign out: our session ends, then the provider's (RP-initiated logout).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${h.app.url}/auth/signed-out`);
    expect(await sessionCookie()).toBeUndefined();
    expect((await me(cookieHeader)).status).toBe(401);
    await page.goto(`${h.app.url}/auth/login?tenant=acme`);
    await expect(page.locator('input[name="login"]').isVisible()).resolves.toBe(true);
  });

  /** A fresh sign-in from no cookies at all (neither Tessera's nor the provider's). */
  const signIn = async () => {
    await browser.context.clearCookies();
    await page.goto(`${h.app.url}/auth/login?tenant=acme`);
    await loginAtProvider(page, 'alice');
    await page.waitForURL(`${h.app.url}/account`);
    return (await sessionCookie())!;
  };

  it('POST /auth/logout without the CSRF token is refused and the session survives', async () => {
    const cookie = await signIn();
    const res = await fetch(`${h.app.url}/auth/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `tessera_session=${cookie.value}` },
    });
    expect(res.status).toBe(403);
    expect((await me({ cookie: `tessera_session=${cookie.value}` })).status).toBe(200);
  });

  it('cookie-authenticated POST /api/v1/tokens needs X-CSRF-Token; a bearer token cannot mint', async () => {
    const cookie = `tessera_session=${(await signIn()).value}`;
    const post = (headers: Record<string, string>) =>
      fetch(`${h.app.url}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'api', scopes: 'api:read api:write' }),
      });
    expect((await post({ cookie })).status).toBe(403);
    const { csrf_token } = (await (await me({ cookie })).json()) as { csrf_token: string };
    const minted = await post({ cookie, 'x-csrf-token': csrf_token });
    expect(minted.status).toBe(201);
    const body = (await minted.json()) as {
      access_token: string;
      refresh_token?: string;
      scope: string;
    };
    expect(body.scope).toBe('api:read api:write');
    expect(body.refresh_token).toBeUndefined();
    expect((await post({ authorization: `Bearer ${body.access_token}` })).status).toBe(403);
    const beyond = await fetch(`${h.app.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf_token },
      body: JSON.stringify({ scopes: ['tessera:root'] }),
    });
    expect(beyond.status).toBe(400);
    await expect(beyond.json()).resolves.toMatchObject({ error: 'invalid_scope' });
  });
});
