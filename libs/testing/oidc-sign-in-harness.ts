import Redis from 'ioredis';
import type { Page } from 'playwright-core';
import { DI } from '@tessera/application/di-tokens';
import type { TenantDirectory } from '@tessera/application/tenant/tenant-directory.port';
import { launchBrowser, type TestBrowser } from './oidc-browser';
import { startOidcProvider, type OidcTestProvider, type TestAccount } from './oidc-test-provider';
import { freePort } from './redis-server';
import { startTestApp, type RunningApp } from './test-app';
import { createTestDatabase, type TestDatabase } from './test-database';

export { freePort };

export const CLIENT_ID = 'tessera';
export const CLIENT_SECRET = 'authentik-client-secret-for-tests';

export interface SignInHarness {
  db: TestDatabase;
  app: RunningApp;
  idp: OidcTestProvider;
  tenants: Record<string, string>;
  /** With `redis: true`: a client on the Redis where Tessera keeps the sessions. */
  readonly redis: Redis;
  /** The session keys Tessera holds in Redis for the tenant `slug` (with `redis: true`). */
  sessionKeys(slug: string): Promise<string[]>;
  newBrowser(): Promise<TestBrowser>;
  close(): Promise<void>;
}

/**
 * Tessera on a port chosen first (its redirect URI must be registered at the provider), the
 * provider as an Authentik application for that client, and tenants created by slug.
 */
export async function startSignInHarness(opts: {
  accounts: Record<string, TestAccount>;
  tenants: string[];
  env?: Record<string, string>;
  /** Sessions in the test Redis (TEST_REDIS_URL) rather than in the node's memory. */
  redis?: boolean;
  /** Provider switches: claims only at UserInfo; back-channel logout to this Tessera. */
  idp?: { claimsAt?: 'id_token' | 'userinfo'; backchannelLogout?: boolean };
}): Promise<SignInHarness> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await startOidcProvider({
    client: {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [`${base}/auth/callback`],
      post_logout_redirect_uris: [`${base}/auth/signed-out`],
      ...(opts.idp?.backchannelLogout ? backchannelClient(base) : {}),
    },
    accounts: opts.accounts,
    ...opts.idp,
  });
  const db = await createTestDatabase();
  const app = await startTestApp(db, {
    PORT: String(port),
    ISSUER: base,
    OIDC_ISSUER_URL: idp.issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_REDIRECT_URI: `${base}/auth/callback`,
    ...(opts.redis ? { REDIS_URL: process.env.TEST_REDIS_URL! } : {}),
    ...opts.env,
  });
  const directory = app.app.get<TenantDirectory>(DI.Tenants);
  const tenants: Record<string, string> = {};
  for (const slug of opts.tenants) tenants[slug] = (await directory.create(slug, slug)).id;
  const browsers: TestBrowser[] = [];
  let redis: Redis | undefined;
  const client = () => {
    if (!opts.redis) throw new Error('startSignInHarness({ redis: true }) for a Redis client');
    return (redis ??= new Redis(process.env.TEST_REDIS_URL!));
  };
  return {
    db,
    app,
    idp,
    tenants,
    get redis() {
      return client();
    },
    sessionKeys: (slug) => client().keys(`tessera:${tenants[slug]}:session:*`),
    async newBrowser() {
      const b = await launchBrowser();
      browsers.push(b);
      return b;
    },
    async close() {
      for (const b of browsers) await b.close();
      await app.close().catch(() => undefined);
      await idp.stop();
      await db.drop().catch(() => undefined);
      redis?.disconnect();
    },
  };
}

/** Client metadata for Back-Channel Logout to the Tessera at `base`, `sid` in every token. */
export const backchannelClient = (base: string) => ({
  backchannel_logout_uri: `${base}/auth/backchannel-logout`,
  backchannel_logout_session_required: true,
});

/**
 * In `browser`: Tessera's sign-in at `url` for `tenant`, as `account` at the provider, back on
 * /account; the page and the session cookie (as a Cookie header).
 */
export async function signInWithBrowser(
  browser: TestBrowser,
  url: string,
  account: string,
  tenant = 'acme',
): Promise<{ page: Page; cookie: string }> {
  const page = await browser.context.newPage();
  await page.goto(`${url}/auth/login?tenant=${tenant}`);
  await loginAtProvider(page, account);
  await page.waitForURL(`${url}/account`);
  const c = (await browser.context.cookies(url)).find((x) => x.name === 'tessera_session')!;
  return { page, cookie: `tessera_session=${c.value}` };
}

/** The CSRF token of the session behind `cookie`, as GET /api/v1/me tells it. */
export async function sessionCsrf(url: string, cookie: string): Promise<string> {
  const me = await fetch(`${url}/api/v1/me`, { headers: { cookie } });
  return ((await me.json()) as { csrf_token: string }).csrf_token;
}

/** At the provider: its login form (any password), then consent if it asks. */
export async function loginAtProvider(page: Page, login: string): Promise<void> {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}
