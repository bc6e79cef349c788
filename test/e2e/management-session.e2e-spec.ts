import { ManagementServer } from '../../apps/auth/src/management/management-server';
import {
  sessionCsrf,
  signInWithBrowser,
  startSignInHarness,
  type SignInHarness,
} from '@tessera/testing/oidc-sign-in-harness';

jest.setTimeout(120_000);

/**
 * A tenant's owners and admins manage their own tenant with a token minted from their
 * session (`tessera:manage`); a member cannot mint one; another tenant stays out of reach.
 */
describe('management API › tokens minted from an admin’s session', () => {
  let h: SignInHarness;
  let mgmt: string;

  beforeAll(async () => {
    h = await startSignInHarness({
      accounts: {
        ada: { email: 'ada@acme.test', groups: ['tessera:acme:admin'] },
        bob: { email: 'bob@acme.test', groups: ['tessera:acme:member'] },
      },
      tenants: ['acme', 'beta'],
      redis: true,
      env: { MANAGEMENT_PORT: '0' },
    });
    mgmt = `http://127.0.0.1:${await h.app.app.get(ManagementServer).listen()}`;
  });
  afterAll(async () => {
    await h?.close();
  });

  async function mint(account: string, scopes: string) {
    const { cookie } = await signInWithBrowser(await h.newBrowser(), h.app.url, account);
    const csrf = await sessionCsrf(h.app.url, cookie);
    const res = await fetch(`${h.app.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: JSON.stringify({ name: 'management', scopes }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, string> };
  }
  const call = (token: string, method: string, p: string, body?: unknown) =>
    fetch(`${mgmt}/api/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('an admin’s session-minted tessera:manage token manages its own tenant only, as that user', async () => {
    const minted = await mint('ada', 'tessera:manage');
    expect(minted.status).toBe(201);
    const token = minted.json.access_token!;
    const acme = h.tenants.acme!;
    const created = await call(token, 'POST', `/tenants/${acme}/clients`, { name: 'from ada' });
    expect(created.status).toBe(201);
    const events = (await (
      await call(token, 'GET', `/tenants/${acme}/audit-events?action=client.create`)
    ).json()) as { items: { actor: string }[] };
    expect(events.items[0]!.actor).toMatch(/^user_/);

    expect((await call(token, 'GET', `/tenants/${h.tenants.beta}/clients`)).status).toBe(404);
    expect((await call(token, 'POST', '/tenants', { slug: 'gamma' })).status).toBe(403);
  });

  it('a member cannot mint a tessera:manage token', async () => {
    const minted = await mint('bob', 'tessera:manage');
    expect({ status: minted.status, error: minted.json.error }).toEqual({
      status: 400,
      error: 'invalid_scope',
    });
  });
});
