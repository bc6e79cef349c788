import net from 'node:net';
import type { Page } from 'playwright-core';
import { DI } from '@tessera/application/di-tokens';
import type { TenantDirectory } from '@tessera/application/tenant/tenant-directory.port';
import { launchBrowser, type TestBrowser } from './oidc-browser';
import { startOidcProvider, type OidcTestProvider, type TestAccount } from './oidc-test-provider';
import { startTestApp, type RunningApp } from './test-app';
import { createTestDatabase, type TestDatabase } from './test-database';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const CLIENT_ID = 'tessera';
const CLIENT_SECRET = 'authentik-client-secret-for-tests';

export interface SignInHarness {
  db: TestDatabase;
  app: RunningApp;
  idp: OidcTestProvider;
  tenants: Record<string, string>;
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
  /** The provider's claims mode (see startOidcProvider). */
  claims?: 'id_token' | 'userinfo';
}): Promise<SignInHarness> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await startOidcProvider({
    client: {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [`${base}/auth/callback`],
      post_logout_redirect_uris: [`${base}/auth/signed-out`],
    },
    accounts: opts.accounts,
    claims: opts.claims,
  });
  const db = await createTestDatabase();
  const app = await startTestApp(db, {
    PORT: String(port),
    ISSUER: base,
    OIDC_ISSUER_URL: idp.issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_REDIRECT_URI: `${base}/auth/callback`,
    ...opts.env,
  });
  const directory = app.app.get<TenantDirectory>(DI.Tenants);
  const tenants: Record<string, string> = {};
  for (const slug of opts.tenants) tenants[slug] = (await directory.create(slug, slug)).id;
  const browsers: TestBrowser[] = [];
  return {
    db,
    app,
    idp,
    tenants,
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
    },
  };
}

/** At the provider: its login form (any password), then consent if it asks. */
export async function loginAtProvider(page: Page, login: string): Promise<void> {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}
