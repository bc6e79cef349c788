import type { TestBrowser } from '@tessera/testing/oidc-browser';
import {
  loginAtProvider,
  startSignInHarness,
  type SignInHarness,
} from '@tessera/testing/oidc-sign-in-harness';

/**
 * docs/authentik.md: an ID token under a kid Tessera's cached JWKS lacks makes it refetch once
 * the cached copy is 60 s old (openid-client), so a switch without publishing ahead fails
 * sign-ins for up to a minute. The deadline below is that minute with a wide margin for a busy
 * machine; the loop ends as soon as a sign-in works.
 */
const REFETCH_DEADLINE_MS = 180_000;
jest.setTimeout(REFETCH_DEADLINE_MS + 120_000);

describe('sign-in while the IdP rotates its signing key (JWKS refetch)', () => {
  let h: SignInHarness;

  beforeAll(async () => {
    h = await startSignInHarness({
      accounts: {
        carol: { email: 'carol@acme.test', name: 'Carol', groups: ['tessera:acme:member'] },
      },
      tenants: ['acme'],
      redis: true,
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const ready = async () => (await fetch(`${h.app.url}/health/ready`)).status;

  /** One sign-in in a fresh browser: the kid of the ID token behind the new session, or how it failed. */
  async function signIn(): Promise<
    { ok: true; kid: string } | { ok: false; status: number; alert: string | null }
  > {
    const b: TestBrowser = await h.newBrowser();
    try {
      const page = await b.context.newPage();
      let callbackStatus = 0;
      page.on('response', (r) => {
        if (new URL(r.url()).pathname === '/auth/callback') callbackStatus = r.status();
      });
      await page.goto(`${h.app.url}/auth/login?tenant=acme`);
      await loginAtProvider(page, 'carol');
      await page.waitForURL((u) => u.pathname === '/account' || u.pathname === '/auth/callback');
      const cookie = (await b.context.cookies(h.app.url)).find((c) => c.name === 'tessera_session');
      if (new URL(page.url()).pathname !== '/account' || !cookie) {
        return {
          ok: false,
          status: callbackStatus,
          alert: await page.getByRole('alert').textContent(),
        };
      }
      // Only this sign-in's session is stored: each one's is removed once read.
      const keys = await h.sessionKeys('acme');
      expect(keys).toHaveLength(1);
      const { idToken } = JSON.parse((await h.redis.get(keys[0]!))!) as { idToken: string };
      await h.redis.del(keys[0]!);
      const header = JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString()) as {
        kid: string;
      };
      return { ok: true, kid: header.kid };
    } finally {
      await b.close();
    }
  }

  it('a key published ahead changes nothing; after the switch with the old key dropped, sign-in works again once the JWKS is refetched, and the node stays ready', async () => {
    // Tessera caches the provider's JWKS (one key) on this first sign-in.
    await expect(signIn()).resolves.toEqual({ ok: true, kid: 'test-rs256' });

    // The new key published beside the old, the old still signing: no sign-in fails.
    const next = await h.idp.rotateKey({ publishOnly: true });
    await expect(signIn()).resolves.toEqual({ ok: true, kid: 'test-rs256' });
    expect(await ready()).toBe(200);

    // The provider now signs with the new key and publishes only it. Sign-ins may fail (a
    // clear page, never a 5xx) until Tessera's cached copy is old enough to refetch.
    expect(await h.idp.rotateKey({ keepOld: false })).toBe(next);
    const deadline = Date.now() + REFETCH_DEADLINE_MS;
    let last: Awaited<ReturnType<typeof signIn>>;
    for (;;) {
      last = await signIn();
      expect(await ready()).toBe(200);
      if (last.ok || Date.now() > deadline) break;
      expect(last.status).toBeLessThan(500);
      expect(last.alert).toMatch(/could not be verified/);
      await new Promise((r) => setTimeout(r, 3_000));
    }
    expect(last).toEqual({ ok: true, kid: next });
  });
});
