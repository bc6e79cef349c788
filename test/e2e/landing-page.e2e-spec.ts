import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';

describe('GET / › a landing page for people who open Tessera in a browser', () => {
  let db: TestDatabase;
  let withSignIn: RunningApp;
  let without: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Discovery is lazy: an IdP that is not running still makes sign-in "configured".
    withSignIn = await startTestApp(db, {
      OIDC_ISSUER_URL: 'http://127.0.0.1:9/application/o/tessera/',
      OIDC_CLIENT_ID: 'tessera',
      OIDC_CLIENT_SECRET: 'secret',
      OIDC_REDIRECT_URI: 'http://127.0.0.1:9/auth/callback',
    });
    without = await startTestApp(db, { DATA_DIR: withSignIn.cfg.dataDir });
  });
  afterAll(async () => {
    await withSignIn?.close();
    await without?.close();
    await db?.drop();
  });

  const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);

  it('200 HTML with the pages’ CSP (no script), links to sign-in, account, docs and metadata', async () => {
    const res = await fetch(`${withSignIn.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    expect(hrefs(html)).toEqual(
      expect.arrayContaining([
        '/sign-in',
        '/account',
        '/docs',
        '/.well-known/openid-configuration',
        '/.well-known/oauth-authorization-server',
        '/.well-known/jwks.json',
      ]),
    );
    for (const href of hrefs(html).filter((x) => x !== '/account' && x !== '/sign-in')) {
      expect({ href, status: (await fetch(`${withSignIn.url}${href}`)).status }).toEqual({
        href,
        status: 200,
      });
    }
  });

  it('without OIDC_* the page says sign-in is not configured and offers no sign-in link', async () => {
    const html = await (await fetch(`${without.url}/`)).text();
    expect(html).toContain('Sign-in is not configured');
    expect(hrefs(html)).not.toContain('/sign-in');
    expect(hrefs(html)).toContain('/docs');
  });
});
