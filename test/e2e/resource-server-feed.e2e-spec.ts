import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { startRedisServer, freePort, type TestRedisServer } from '@tessera/testing/redis-server';
import { cliEnvFor, cliJson, mintPairArgs, runCli } from '@tessera/testing/cli-process';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { startExampleApi, type ExampleApiProcess } from '@tessera/testing/example-api-process';
import { clientCredentialsToken } from '../support/oauth';
import { until } from '@tessera/testing/poll';

interface Creds {
  clientId: string;
  secret: string;
}
interface Rs {
  identifier: string;
  clientId: string;
  secret: string;
}

const API_A = 'https://invoices-a.example';
const API_B = 'https://invoices-b.example';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = () => Math.random().toString(36).slice(2, 10);
const kidOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

/**
 * The example API on @tessera/resource-server against a real Tessera process and its REAL
 * revocation feed (found by discovery): resource servers registered with the CLI, tokens asked
 * for with RFC 8707 `resource`, Postgres key store, real Redis.
 */
describe('@tessera/resource-server › example API with the real revocation feed', () => {
  let db: TestDatabase;
  let redis: TestRedisServer | undefined;
  let tessera: ServerProcess;
  let tesseraEnv: Record<string, string>;
  let cliEnv: Record<string, string | undefined>;
  let port: number;
  let issuer: string;
  let rsA: Rs;
  let rsB: Rs;
  let writer: Creds;
  let reader: Creds;
  let slug: string;
  let apiA: ExampleApiProcess;
  let apiB: ExampleApiProcess;

  const cli = (...args: string[]) => cliJson(cliEnv, ...args);
  const resource = async (identifier: string): Promise<Rs> => {
    const r = await cli(
      ...['resource', 'create', '--tenant', slug, '--identifier', identifier],
      ...['--scopes', 'invoices:read invoices:write'],
    );
    return { identifier, clientId: r.client_id as string, secret: r.client_secret as string };
  };
  const client = async (scopes: string): Promise<Creds> => {
    const r = await cli(
      ...['client', 'create', '--tenant', slug, '--name', `caller ${scopes}`],
      ...['--grants', 'client_credentials,refresh_token', '--scopes', scopes],
      ...['--resources', `${API_A} ${API_B}`],
    );
    return { clientId: r.client_id as string, secret: r.client_secret as string };
  };
  const token = (c: Creds, resource: string, scope = 'invoices:read') =>
    clientCredentialsToken(tessera.url, c, { scope, resource });
  const call = (api: ExampleApiProcess, t: string, method = 'GET', route = '/invoices') =>
    fetch(`${api.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify({ amount: 42 }) } : {}),
    });
  const eventually = (what: string, check: () => Promise<boolean>, ms = 60_000) =>
    until(what, check, { timeoutMs: ms, everyMs: 100 });
  const refusedBy = (api: ExampleApiProcess, t: string) =>
    eventually('the API to refuse the revoked token', async () => {
      const r = await call(api, t);
      return r.status === 401;
    });
  const startApi = (rs: Rs, extra: Record<string, string> = {}) =>
    startExampleApi({
      TESSERA_ISSUER: issuer,
      RESOURCE_IDENTIFIER: rs.identifier,
      RESOURCE_CLIENT_ID: rs.clientId,
      RESOURCE_CLIENT_SECRET: rs.secret,
      // The API fetched the JWKS at startup: allow the unknown-kid refetch soon after a rotation.
      JWKS_COOLDOWN_SECONDS: '1',
      ...extra,
    });
  const live = (api: ExampleApiProcess) =>
    eventually('the API to be live', async () => (await fetch(`${api.url}/health`)).ok);

  beforeAll(async () => {
    db = await createTestDatabase();
    const redisUrl = process.env.TEST_REDIS_URL ?? (redis = await startRedisServer()).url;
    port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    tesseraEnv = {
      ISSUER: issuer,
      REDIS_URL: redisUrl,
      REFRESH_GRACE_PERIOD: '1s',
      KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64url'),
      KEY_PUBLISH_DELAY: '3s',
      KEY_RELOAD_INTERVAL: '200ms',
    };
    tessera = await startServerProcess(db, { env: tesseraEnv, port });
    cliEnv = cliEnvFor(db, tessera, tesseraEnv);
    slug = `rsf-${rand()}`;
    await cli('tenant', 'create', slug);
    rsA = await resource(API_A);
    rsB = await resource(API_B);
    writer = await client('invoices:read invoices:write');
    reader = await client('invoices:read');
    [apiA, apiB] = await Promise.all([startApi(rsA), startApi(rsB)]);
    await Promise.all([live(apiA), live(apiB)]);
  }, 180_000);
  afterAll(async () => {
    await apiA?.kill();
    await apiB?.kill();
    await tessera?.kill();
    await redis?.stop();
    await db?.drop();
  });

  it('resource=<API A> › the token works at API A and is refused by API B (401 invalid_token)', async () => {
    const forA = await token(writer, API_A);
    expect(decodeJwt(forA).aud).toBe(API_A);
    expect((await call(apiA, forA)).status).toBe(200);
    const atB = await call(apiB, forA);
    expect(atB.status).toBe(401);
    expect(atB.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect((await call(apiB, await token(writer, API_B))).status).toBe(200);
  });

  it('missing scope › 403 with WWW-Authenticate error="insufficient_scope"', async () => {
    const t = await token(reader, API_A);
    expect((await call(apiA, t)).status).toBe(200);
    const r = await call(apiA, t, 'POST');
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
  });

  it('revoked at Tessera by RFC 7009 › refused by the API', async () => {
    const t = await token(writer, API_A);
    expect((await call(apiA, t)).status).toBe(200);
    const r = await postForm(
      `${tessera.url}/oauth/revoke`,
      { token: t },
      { authorization: basic(writer) },
    );
    expect(r.status).toBe(200);
    await refusedBy(apiA, t);
    expect((await call(apiA, await token(writer, API_A))).status).toBe(200);
  });

  it('revoked with CLI token revoke › refused by the API', async () => {
    const t = await token(writer, API_A);
    expect((await call(apiA, t)).status).toBe(200);
    await cli('token', 'revoke', decodeJwt(t).jti!);
    await refusedBy(apiA, t);
  });

  it('CLI token revoke --client › the API refuses every token that client held (access and refresh-minted), and the feed carried one client-revoked SET', async () => {
    const doomed = await client('invoices:read');
    const minted = await cli(
      ...mintPairArgs(slug, doomed.clientId, 'svc-doomed'),
      ...['--scopes', 'invoices:read', '--resources', API_A],
    );
    const held = [await token(doomed, API_A), minted.access_token as string];
    for (const t of held) expect((await call(apiA, t)).status).toBe(200);
    const bystander = await token(writer, API_A);

    const r = await cli('token', 'revoke', '--client', doomed.clientId);
    expect(r).toMatchObject({ client_id: doomed.clientId, families_revoked: 1 });
    // The minted one at least (the CLI records it at once; the token endpoint's record may
    // still be queued: the API refuses that one by the cut-off).
    expect(r.access_tokens_denied).toBeGreaterThanOrEqual(1);

    for (const t of held) await refusedBy(apiA, t);
    expect((await call(apiA, bystander)).status).toBe(200);
    // Audited in the revoking transaction.
    const audit = await cli('audit', 'tail', '--tenant', slug, '--limit', '50');
    expect(audit.events).toContainEqual(
      expect.objectContaining({
        action: 'token.revoke_all',
        actor: 'cli',
        target: `client:${doomed.clientId}`,
        details: expect.objectContaining({ families_revoked: 1, jtis_denied: expect.any(Number) }),
      }),
    );
    // The family went with it: its refresh token no longer redeems.
    const redeemed = await postForm(
      `${tessera.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: minted.refresh_token as string },
      { authorization: basic(doomed) },
    );
    expect(redeemed.status).toBe(400);
    expect(redeemed.json.error).toBe('invalid_grant');

    // What the feed delivered to API A: the cut-off event, with the token-revoked ones.
    const sets: Record<string, string> = {};
    for (let more = true, i = 0; more && i < 50; i++) {
      const res = await fetch(`${tessera.url}/oauth/revocation-events`, {
        method: 'POST',
        headers: { authorization: basic(rsA), 'content-type': 'application/json' },
        body: JSON.stringify({
          stream: `sclient${rand()}`,
          returnImmediately: true,
          maxEvents: 1000,
        }),
      });
      const body = (await res.json()) as { sets: Record<string, string>; moreAvailable: boolean };
      Object.assign(sets, body.sets);
      more = body.moreAvailable;
    }
    const cutOffs = Object.values(sets)
      .map((jws) => decodeJwt(jws).events as Record<string, Record<string, unknown>>)
      .map((e) => e['urn:tessera:secevent:client-revoked'])
      .filter((e) => e?.client_id === doomed.clientId);
    expect(cutOffs).toHaveLength(1);
    expect(cutOffs[0]!.iat_before).toBe(Math.floor(Date.parse(r.issued_before as string) / 1000));
    expect(cutOffs[0]!.exp).toBeGreaterThan(Date.now() / 1000);

    // Issued after the cut-off (a later second: iat_before includes its own second) › accepted.
    await sleep(1100);
    expect((await call(apiA, await token(doomed, API_A))).status).toBe(200);
  });

  it('CLI token revoke --subject --tenant › the API refuses every token of that subject; usage errors exit 2', async () => {
    const sub = `user-${rand()}`;
    const mint = async () =>
      (
        await cli(
          ...['token', 'mint', '--tenant', slug, '--sub', sub, '--client', writer.clientId],
          ...['--scopes', 'invoices:read', '--resources', API_A],
        )
      ).access_token as string;
    const held = [await mint(), await mint()];
    for (const t of held) expect((await call(apiA, t)).status).toBe(200);
    const bystander = await token(writer, API_A);

    const r = await cli('token', 'revoke', '--subject', sub, '--tenant', slug);
    expect(r).toMatchObject({ sub, access_tokens_denied: 2, families_revoked: 0 });
    for (const t of held) await refusedBy(apiA, t);
    expect((await call(apiA, bystander)).status).toBe(200);

    for (const bad of [
      ['token', 'revoke', '--subject', sub], // a subject is named within a tenant
      ['token', 'revoke', '--client', writer.clientId, '--subject', sub],
      ['token', 'revoke'],
    ]) {
      const run = await runCli(cliEnv, ...bad, '--json');
      expect({ bad, code: run.code }).toEqual({ bad, code: 2 });
      expect(run.stderr).toMatch(/^tessera: /);
    }
  });

  it('grant_type=refresh_token › reuse revokes the family; the API refuses its access tokens', async () => {
    const minted = await cli(
      ...mintPairArgs(slug, writer.clientId, 'svc'),
      ...['--scopes', 'invoices:read', '--resources', API_A],
    );
    const first = minted.refresh_token as string;
    const refresh = (rt: string) =>
      postForm(
        `${tessera.url}/oauth/token`,
        { grant_type: 'refresh_token', refresh_token: rt },
        { authorization: basic(writer) },
      );
    const rotated = await refresh(first);
    expect(rotated.status).toBe(200);
    const family = [minted.access_token as string, rotated.json.access_token as string];
    for (const t of family) expect((await call(apiA, t)).status).toBe(200);
    await sleep(1500); // past REFRESH_GRACE_PERIOD (1 s): presenting it again is reuse
    const reused = await refresh(first);
    expect(reused.status).toBe(400);
    for (const t of family) await refusedBy(apiA, t);
  });

  it('API restart › a token revoked before it is still refused', async () => {
    const t = await token(writer, API_A);
    await cli('token', 'revoke', decodeJwt(t).jti!);
    await refusedBy(apiA, t);
    await apiA.kill('SIGKILL');
    apiA = await startApi(rsA);
    await live(apiA);
    expect((await call(apiA, t)).status).toBe(401);
    expect((await call(apiA, await token(writer, API_A))).status).toBe(200);
  });

  it('keys rotate in the database key store › tokens of the old and the new key all verify', async () => {
    const old = await token(writer, API_A);
    const rotated = await cli('keys', 'rotate', '--alg', 'ES256');
    const next = rotated.kid as string;
    expect(next).not.toBe(kidOf(old));
    const statuses: number[] = [];
    const seen = new Set<string>();
    await eventually('the new key to sign', async () => {
      const t = await token(writer, API_A);
      seen.add(kidOf(t));
      statuses.push((await call(apiA, t)).status);
      return seen.has(next);
    });
    statuses.push((await call(apiA, old)).status);
    expect(seen).toEqual(new Set([kidOf(old), next]));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // A revocation after the rotation arrives as a SET signed with the new key.
    const t = await token(writer, API_A);
    await cli('token', 'revoke', decodeJwt(t).jti!);
    await refusedBy(apiA, t);
  });

  it('Tessera SIGKILLed › the API keeps verifying, then 503 after its bound; back on the same port › recovers', async () => {
    const api = await startApi(rsA, { FEED_FAIL_CLOSED_AFTER_SECONDS: '5' });
    try {
      await live(api);
      const t = await token(writer, API_A);
      expect((await call(api, t)).status).toBe(200);
      await tessera.kill('SIGKILL');
      await expect(fetch(`${tessera.url}/health/live`)).rejects.toThrow();
      // Within the bound (the feed only just broke) the cached JWKS and replica still serve.
      expect((await call(api, t)).status).toBe(200);
      await eventually('the API to fail closed', async () => (await call(api, t)).status === 503);
      expect((await fetch(`${api.url}/health`)).status).toBe(503);
      tessera = await startServerProcess(db, {
        env: { ...tesseraEnv, DATA_DIR: tessera.dataDir },
        port,
      });
      await eventually('the API to recover', async () => (await call(api, t)).status === 200);
      expect((await fetch(`${api.url}/health`)).status).toBe(200);
    } finally {
      await api.kill();
    }
  });
});
