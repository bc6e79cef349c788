import type { TestBrowser } from '@tessera/testing/oidc-browser';
import {
  CLIENT_ID,
  signInWithBrowser,
  startSignInHarness,
  type SignInHarness,
} from '@tessera/testing/oidc-sign-in-harness';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** REDIS_URL unset: sessions and the jti memory live in the one node's memory. */
describe('OpenID Connect Back-Channel Logout › single node without Redis', () => {
  let h: SignInHarness;

  beforeAll(async () => {
    h = await startSignInHarness({
      accounts: { dave: { email: 'dave@acme.test', groups: ['tessera:acme:viewer'] } },
      tenants: ['acme'],
      idp: { backchannelLogout: true },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function signIn(): Promise<{ b: TestBrowser; cookie: string }> {
    const b = await h.newBrowser();
    return { b, cookie: (await signInWithBrowser(b, h.app.url, 'dave')).cookie };
  }
  const status = async (cookie: string) =>
    (await fetch(`${h.app.url}/api/v1/me`, { headers: { cookie } })).status;
  const post = (token: string) =>
    fetch(`${h.app.url}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
    });

  it('the provider ends its session → the Tessera session is gone', async () => {
    const { b, cookie } = await signIn();
    expect(await status(cookie)).toBe(200);
    const page = await b.context.newPage();
    await page.goto(`${h.idp.issuer}session/end`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForLoadState();
    // The provider awaits our 200 before it answers the browser, so this is already settled.
    expect(await status(cookie)).toBe(401);
  });

  it('a replayed logout token → 400, the new session survives', async () => {
    const token = await h.idp.sign({
      iss: h.idp.issuer,
      aud: CLIENT_ID,
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 120,
      jti: `j-${Date.now()}`,
      sub: 'dave',
      events: { [EVENT]: {} },
    });
    expect((await post(token)).status).toBe(200);
    const { cookie } = await signIn();
    const replay = await post(token);
    expect(replay.status).toBe(400);
    await expect(replay.json()).resolves.toMatchObject({ error: 'invalid_request' });
    expect(await status(cookie)).toBe(200);
  });
});
