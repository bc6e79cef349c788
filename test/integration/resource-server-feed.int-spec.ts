import { ContractFeedServer } from '@tessera/testing/contract-feed-server';
import { startExampleApi, type ExampleApiProcess } from '@tessera/testing/example-api-process';

/**
 * The example API (a real process, Nest guard and passport strategy) against a peer that speaks
 * the revocation feed contract (/work/wt/FEED-CONTRACT.md): what needs Tessera's feed, until the
 * server side is merged and test/e2e covers it against a real Tessera.
 */
const API = 'https://invoices.example';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
const get = (api: ExampleApiProcess, path: string, token: string) =>
  fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

describe('example API › revocation feed replica (contract peer)', () => {
  let peer: ContractFeedServer;
  let api: ExampleApiProcess;
  const start = () =>
    startExampleApi({
      TESSERA_ISSUER: peer.issuer,
      RESOURCE_IDENTIFIER: API,
      RESOURCE_CLIENT_ID: peer.credentials.clientId,
      RESOURCE_CLIENT_SECRET: peer.credentials.clientSecret,
      FEED_FAIL_CLOSED_AFTER_SECONDS: '2',
    });
  const live = (a: ExampleApiProcess) =>
    until(
      'feed live',
      () => fetch(`${a.url}/health`).then((r) => r.status),
      (s) => s === 200,
    );

  beforeAll(async () => {
    peer = new ContractFeedServer(API);
    await peer.start();
    api = await start();
    await live(api);
  });
  afterAll(async () => {
    await api?.kill();
    await peer?.stop();
  });

  it('token-revoked › refused by the Nest guard and by AuthGuard("tessera"), also after an API restart', async () => {
    const token = await peer.token({ jti: 'tok_int_1' });
    expect((await get(api, '/invoices', token)).status).toBe(200);
    expect((await get(api, '/me', token)).status).toBe(200);
    await peer.publish('urn:tessera:secevent:token-revoked', {
      jti: 'tok_int_1',
      exp: Math.floor(Date.now() / 1000) + 300,
    });
    const r = await until(
      'refusal',
      () => get(api, '/invoices', token),
      (x) => x.status === 401,
    );
    expect(r.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const me = await get(api, '/me', token);
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);

    await api.kill();
    api = await start();
    await live(api);
    expect((await get(api, '/invoices', token)).status).toBe(401);
    expect((await get(api, '/invoices', await peer.token())).status).toBe(200);
  });

  it('feed unreachable past the bound › 503 on every route and /health, logged once; back when it returns', async () => {
    const token = await peer.token();
    peer.feedMode = 'drop';
    const r = await until(
      '503',
      () => get(api, '/invoices', token),
      (x) => x.status === 503,
    );
    expect(r.headers.get('retry-after')).toBe('5');
    expect(await r.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect((await get(api, '/me', token)).status).toBe(503);
    expect((await fetch(`${api.url}/health`)).status).toBe(503);
    expect(api.output().match(/unreachable for more than 2s/g)).toHaveLength(1);
    peer.feedMode = 'up';
    await until(
      'recovered',
      () => get(api, '/invoices', token),
      (x) => x.status === 200,
    );
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/^tessera_rs_requests_allowed 1$/m);
  });
});
