import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startRedisServer, type TestRedisServer } from '@tessera/testing/redis-server';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { cliEnvFor, cliJson, mintPairArgs, runCli } from '@tessera/testing/cli-process';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { until } from '@tessera/testing/poll';

interface Creds {
  clientId: string;
  secret: string;
}
interface Rs extends Creds {
  id: string;
  identifier: string;
}
type Events = Record<string, Record<string, unknown>>;

const ISSUER = 'http://tessera.test';
const TOKEN_REVOKED = 'urn:tessera:secevent:token-revoked';
const FAMILY_REVOKED = 'urn:tessera:secevent:family-revoked';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = () => Math.random().toString(36).slice(2, 10);

/**
 * Resource servers over real HTTP against Tessera nodes that are separate processes, with
 * real Postgres and Redis: RFC 8707 resource indicators, RFC 7662 §4 introspection by a
 * resource server, and the RFC 8936 revocation event feed (FEED-CONTRACT.md).
 */
describe('resource servers', () => {
  let db: TestDatabase;
  let redis: TestRedisServer;
  let a: ServerProcess;
  let b: ServerProcess;
  let cliEnv: Record<string, string | undefined>;
  let nodeEnv: Record<string, string>;
  const t1 = `rs1-${rand()}`;
  const t2 = `rs2-${rand()}`;
  let apiA: Rs;
  let apiB: Rs;
  let apiC: Rs;
  let apiOff: Rs;
  let apiX: Rs;
  let client: Creds;
  let other: Creds;

  const cli = (...args: string[]) => cliJson(cliEnv, ...args);
  const resource = async (slug: string, identifier: string, scopes: string): Promise<Rs> => {
    const r = await cli(
      'resource',
      'create',
      '--tenant',
      slug,
      '--identifier',
      identifier,
      '--scopes',
      scopes,
    );
    expect(Object.keys(r).sort()).toEqual(['client_id', 'client_secret', 'id', 'identifier']);
    return {
      id: r.id as string,
      identifier,
      clientId: r.client_id as string,
      secret: r.client_secret as string,
    };
  };
  const newClient = async (slug: string, resources: string) => {
    const r = await cli(
      'client',
      'create',
      '--tenant',
      slug,
      '--name',
      'api caller',
      '--grants',
      'client_credentials,refresh_token',
      '--scopes',
      'read write admin',
      ...(resources ? ['--resources', resources] : []),
    );
    return { clientId: r.client_id as string, secret: r.client_secret as string };
  };
  const token = (node: ServerProcess, c: Creds, body: string) =>
    postForm(`${node.url}/oauth/token`, body, { authorization: basic(c) });
  const cc = async (c: Creds, ...resources: string[]) => {
    const q = new URLSearchParams({ grant_type: 'client_credentials' });
    for (const r of resources) q.append('resource', r);
    const res = await token(a, c, q.toString());
    expect(res.status).toBe(200);
    return res.json.access_token as string;
  };
  const poll = async (node: ServerProcess, c: Creds | undefined, body: object) => {
    const res = await fetch(`${node.url}/oauth/revocation-events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(c ? { authorization: basic(c) } : {}),
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      headers: res.headers,
      json: (await res.json()) as Record<string, unknown>,
    };
  };
  /** Every SET this stream has not acknowledged, acknowledging as it goes. */
  const drain = async (node: ServerProcess, rs: Rs, stream: string, ack = true) => {
    const seen: { jti: string; set: string; events: Events }[] = [];
    let acks: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await poll(node, rs, {
        stream,
        ack: acks,
        returnImmediately: true,
        maxEvents: 1000,
      });
      expect(r.status).toBe(200);
      const sets = r.json.sets as Record<string, string>;
      for (const [jti, set] of Object.entries(sets)) {
        seen.push({ jti, set, events: decodeJwt(set).events as Events });
      }
      acks = ack ? Object.keys(sets) : [];
      if (!r.json.moreAvailable) break;
    }
    if (ack && acks.length) await poll(node, rs, { stream, ack: acks, maxEvents: 0 });
    return seen;
  };
  const revokedJtis = (seen: { events: Events }[]) =>
    seen.map((s) => s.events[TOKEN_REVOKED]?.jti).filter((j): j is string => Boolean(j));
  const revoke = (c: Creds, t: string) =>
    postForm(`${a.url}/oauth/revoke`, { token: t }, { authorization: basic(c) });
  const eventually = (what: string, check: () => Promise<boolean>) =>
    until(what, check, { timeoutMs: 20_000, everyMs: 100 });

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startRedisServer();
    // A long resync: what wakes a poll on another node quickly is the broadcast.
    nodeEnv = {
      ISSUER,
      REDIS_URL: redis.url,
      DENYLIST_SYNC_INTERVAL: '5m',
      REFRESH_GRACE_PERIOD: '1s',
      REVOCATION_FEED_MAX_WAIT: '25s', // the most Tessera allows
    };
    a = await startServerProcess(db, { env: nodeEnv });
    b = await startServerProcess(db, { env: { ...nodeEnv, DATA_DIR: a.dataDir } });
    cliEnv = cliEnvFor(db, a, nodeEnv);
    await cli('tenant', 'create', t1);
    await cli('tenant', 'create', t2);
    apiA = await resource(t1, 'https://api-a.test/v1', 'read write');
    apiB = await resource(t1, 'https://api-b.test', 'read');
    apiC = await resource(t1, 'urn:tessera-test:api-c', 'read');
    apiOff = await resource(t1, 'https://api-off.test', 'read');
    apiX = await resource(t2, 'https://api-x.test', 'read');
    client = await newClient(t1, `${apiA.identifier} ${apiB.identifier} ${apiOff.identifier}`);
    other = await newClient(t2, apiX.identifier);
    await cli('resource', 'disable', '--tenant', t1, apiOff.id);
  }, 180_000);
  afterAll(async () => {
    await a?.kill();
    await b?.kill();
    await redis?.stop();
    await db?.drop();
  });

  describe('resource indicators (RFC 8707) › POST /oauth/token', () => {
    it.each([
      ['unknown', 'https://nobody.test'],
      ['disabled', 'https://api-off.test'],
      ['of another tenant', 'https://api-x.test'],
      ['not allowed for the client', 'urn:tessera-test:api-c'],
      ['a relative URI', '/api-a'],
      ['with a fragment', 'https://api-a.test/v1#x'],
    ])('resource %s → invalid_target (400)', async (_, r) => {
      const res = await token(
        a,
        client,
        `grant_type=client_credentials&resource=${encodeURIComponent(r)}`,
      );
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('invalid_target');
    });

    it('an allowed resource becomes the aud; two become both; none keeps the default audience', async () => {
      expect(decodeJwt(await cc(client, apiA.identifier)).aud).toBe(apiA.identifier);
      expect(decodeJwt(await cc(client, apiA.identifier, apiB.identifier)).aud).toEqual([
        apiA.identifier,
        apiB.identifier,
      ]);
      expect(decodeJwt(await cc(client)).aud).toBe('tessera-api');
    });

    it('scope: only what the named resource server offers', async () => {
      const refused = await token(
        a,
        client,
        `grant_type=client_credentials&resource=${encodeURIComponent(apiB.identifier)}&scope=write`,
      );
      expect(refused.status).toBe(400);
      expect(refused.json.error).toBe('invalid_scope');
      const dflt = decodeJwt(await cc(client, apiB.identifier));
      expect(dflt.scope).toBe('read');
    });

    it('CLI: resource list shows the tenant’s resource servers; client update --resources replaces what a client may ask for', async () => {
      const listed = (await cli('resource', 'list', '--tenant', t1)).resource_servers as {
        identifier: string;
        status: string;
      }[];
      expect(listed.map((r) => [r.identifier, r.status])).toEqual(
        expect.arrayContaining([
          [apiA.identifier, 'active'],
          [apiOff.identifier, 'disabled'],
        ]),
      );
      expect(listed.map((r) => r.identifier)).not.toContain(apiX.identifier);
      const c = await newClient(t1, apiA.identifier);
      const forC = `grant_type=client_credentials&resource=${encodeURIComponent(apiC.identifier)}`;
      expect((await token(a, c, forC)).json.error).toBe('invalid_target');
      const updated = await cli(
        'client',
        'update',
        c.clientId,
        '--tenant',
        t1,
        '--resources',
        apiC.identifier,
      );
      expect(updated.resources).toEqual([apiC.identifier]);
      const clients = (await cli('client', 'list', '--tenant', t1)).clients as {
        client_id: string;
        resources: string[];
        resource_server?: string;
      }[];
      expect(clients.find((x) => x.client_id === c.clientId)?.resources).toEqual([apiC.identifier]);
      expect(clients.find((x) => x.client_id === apiA.clientId)?.resource_server).toBe(apiA.id);
      // A running node caches the client for 3 s: the change lands within that.
      await eventually(
        'the new resource list',
        async () => (await token(a, c, forC)).status === 200,
      );
      const r = await runCli(
        cliEnv,
        'client',
        'update',
        c.clientId,
        '--tenant',
        t1,
        '--resources',
        apiX.identifier,
        '--json',
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^tessera: .*resource server/);
    });

    it('a resource server’s credentials use no grant → unauthorized_client', async () => {
      const res = await token(a, apiA, 'grant_type=client_credentials');
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('unauthorized_client');
    });

    it('grant_type=refresh_token › may narrow to a subset of the family’s resources, never widen', async () => {
      const minted = await cli(
        ...mintPairArgs(
          t1,
          client.clientId,
          'svc',
          '--scopes',
          'read',
          '--resources',
          `${apiA.identifier} ${apiB.identifier}`,
        ),
      );
      expect(decodeJwt(minted.access_token as string).aud).toEqual([
        apiA.identifier,
        apiB.identifier,
      ]);
      const narrowed = await token(
        a,
        client,
        `grant_type=refresh_token&refresh_token=${minted.refresh_token as string}&resource=${encodeURIComponent(apiB.identifier)}`,
      );
      expect(narrowed.status).toBe(200);
      expect(decodeJwt(narrowed.json.access_token as string).aud).toBe(apiB.identifier);
      // The family keeps both: the next refresh, without resource, is for both again.
      const again = await token(
        a,
        client,
        `grant_type=refresh_token&refresh_token=${narrowed.json.refresh_token as string}`,
      );
      expect(again.status).toBe(200);
      expect(decodeJwt(again.json.access_token as string).aud).toEqual([
        apiA.identifier,
        apiB.identifier,
      ]);
      const widened = await token(
        a,
        client,
        `grant_type=refresh_token&refresh_token=${again.json.refresh_token as string}&resource=${encodeURIComponent(apiC.identifier)}`,
      );
      expect(widened.status).toBe(400);
      expect(widened.json.error).toBe('invalid_target');
    });
  });

  describe('introspection by a resource server (RFC 7662 §4)', () => {
    const introspect = (rs: Creds, t: string) =>
      postForm(`${a.url}/oauth/introspect`, { token: t }, { authorization: basic(rs) });

    it('a token for it → active, with aud, scope, sub, client_id, org, exp, iat, jti', async () => {
      const t = await cc(client, apiA.identifier);
      const r = await introspect(apiA, t);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        active: true,
        aud: apiA.identifier,
        scope: 'read write',
        client_id: client.clientId,
        sub: client.clientId,
      });
      for (const m of ['org', 'exp', 'iat', 'jti']) expect(r.json[m]).toBeDefined();
    });

    it('a token for another resource server of the same tenant → inactive', async () => {
      const r = await introspect(apiA, await cc(client, apiB.identifier));
      expect(r.json).toEqual({ active: false });
    });

    it('a token of another tenant → inactive', async () => {
      const t = await cc(other, apiX.identifier);
      expect((await introspect(apiA, t)).json).toEqual({ active: false });
      expect((await introspect(apiX, t)).json).toMatchObject({ active: true });
    });

    it('a revoked token → inactive', async () => {
      const t = await cc(client, apiA.identifier);
      expect((await revoke(client, t)).status).toBe(200);
      expect((await introspect(apiA, t)).json).toEqual({ active: false });
    });
  });

  describe('POST /oauth/revocation-events (RFC 8936)', () => {
    it('is advertised as revocation_events_endpoint in RFC 8414 metadata', async () => {
      const meta = (await (
        await fetch(`${a.url}/.well-known/oauth-authorization-server`)
      ).json()) as Record<string, string>;
      expect(meta.revocation_events_endpoint).toBe(`${ISSUER}/oauth/revocation-events`);
    });

    it('unauthenticated → 401 invalid_client with WWW-Authenticate', async () => {
      const r = await poll(a, undefined, { returnImmediately: true });
      expect(r.status).toBe(401);
      expect(r.json.error).toBe('invalid_client');
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect((await poll(a, { ...apiA, secret: 'tcs_wrong' }, {})).status).toBe(401);
    });

    it('a client that is not a resource server → 403 access_denied', async () => {
      const r = await poll(a, client, { returnImmediately: true });
      expect(r.status).toBe(403);
      expect(r.json.error).toBe('access_denied');
    });

    it('tenant disabled › its resource server’s polls get 401 invalid_client (an API fails closed after its bound)', async () => {
      const t3 = `rs3-${rand()}`;
      await cli('tenant', 'create', t3);
      const rs = await resource(t3, `https://api-${t3}.test`, 'read');
      expect((await poll(a, rs, { returnImmediately: true })).status).toBe(200);
      await cli('tenant', 'disable', t3);
      await eventually('the feed to refuse the disabled tenant’s resource server', async () => {
        const r = await poll(a, rs, { returnImmediately: true });
        return r.status === 401 && r.json.error === 'invalid_client';
      });
    });

    it('a malformed poll body → 400 {"err":"invalid_request"}', async () => {
      const r = await poll(a, apiA, { maxEvents: 5000 });
      expect(r.status).toBe(400);
      expect(r.json.err).toBe('invalid_request');
      expect((await poll(a, apiA, { stream: 'no spaces' })).json.err).toBe('invalid_request');
      const bad = await fetch(`${a.url}/oauth/revocation-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(apiA) },
        body: '{"ack": [',
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { err?: string }).err).toBe('invalid_request');
    });

    it('RFC 7009 revoke → a token-revoked SET, signed (typ secevent+jwt) and verifiable with the JWKS', async () => {
      const t = await cc(client, apiA.identifier);
      const jti = decodeJwt(t).jti!;
      expect((await revoke(client, t)).status).toBe(200);
      const seen = await drain(a, apiA, `s7009-${rand()}`);
      const mine = seen.find((s) => s.events[TOKEN_REVOKED]?.jti === jti);
      expect(mine).toBeDefined();
      expect(decodeProtectedHeader(mine!.set).typ).toBe('secevent+jwt');
      const jwks = createRemoteJWKSet(new URL(`${a.url}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(mine!.set, jwks, {
        issuer: ISSUER,
        audience: apiA.identifier,
        typ: 'secevent+jwt',
      });
      expect(payload.jti).toBe(mine!.jti);
      expect(Object.keys(payload.events as object)).toEqual([TOKEN_REVOKED]);
      expect((payload.events as Events)[TOKEN_REVOKED]).toEqual({ jti, exp: decodeJwt(t).exp });
    });

    it('CLI token revoke → a token-revoked event', async () => {
      const jti = decodeJwt(await cc(client, apiA.identifier)).jti!;
      await cli('token', 'revoke', jti);
      expect(revokedJtis(await drain(a, apiA, `scli-${rand()}`))).toContain(jti);
    });

    it('refresh token reuse revokes the family → one family-revoked event and a token-revoked event for each of its access tokens', async () => {
      // Drained first, so what the stream delivers next is this revocation's SETs only.
      const stream = `sreuse-${rand()}`;
      await drain(a, apiA, stream);
      const minted = await cli(...mintPairArgs(t1, client.clientId, 'svc', '--scopes', 'read'));
      const first = minted.refresh_token as string;
      const rotated = await token(a, client, `grant_type=refresh_token&refresh_token=${first}`);
      expect(rotated.status).toBe(200);
      await sleep(1500); // past REFRESH_GRACE_PERIOD (1 s): presenting it again is reuse
      const reused = await token(a, client, `grant_type=refresh_token&refresh_token=${first}`);
      expect(reused.status).toBe(400);
      const seen = await drain(a, apiA, stream);
      expect(revokedJtis(seen).sort()).toEqual(
        [minted.jti as string, decodeJwt(rotated.json.access_token as string).jti!].sort(),
      );
      const family = seen.map((s) => s.events[FAMILY_REVOKED]).filter(Boolean);
      expect(family).toEqual([{ family_id: expect.any(String), exp: expect.any(Number) }]);
      expect(seen).toHaveLength(3);
      // A repeat of the reuse revokes nothing new: no second family-revoked event.
      expect(
        (await token(a, client, `grant_type=refresh_token&refresh_token=${first}`)).status,
      ).toBe(400);
      expect(await drain(a, apiA, stream)).toEqual([]);
    });

    it('acknowledged SETs are not delivered again; unacknowledged ones are', async () => {
      const stream = `sack-${rand()}`;
      await drain(a, apiA, stream);
      const j1 = decodeJwt(await cc(client, apiA.identifier)).jti!;
      const j2 = decodeJwt(await cc(client, apiA.identifier)).jti!;
      await cli('token', 'revoke', j1);
      await cli('token', 'revoke', j2);
      const first = await drain(a, apiA, stream, false);
      expect(revokedJtis(first)).toEqual([j1, j2]); // oldest first
      // Nothing acknowledged: the same SETs, same ids, again.
      const again = await drain(a, apiA, stream, false);
      expect(again.map((s) => s.jti)).toEqual(first.map((s) => s.jti));
      // Acknowledge only the first: the second keeps coming, the first never again.
      await poll(a, apiA, { stream, ack: [first[0]!.jti], maxEvents: 0 });
      expect(revokedJtis(await drain(a, apiA, stream, false))).toEqual([j2]);
      await poll(a, apiA, { stream, ack: [first[1]!.jti], maxEvents: 0 });
      expect(await drain(a, apiA, stream)).toEqual([]);
    });

    it('a new stream first gets every currently revoked token, then the live stream', async () => {
      const j1 = decodeJwt(await cc(client, apiA.identifier)).jti!;
      await cli('token', 'revoke', j1);
      const stream = `snew-${rand()}`;
      expect(revokedJtis(await drain(a, apiA, stream))).toContain(j1);
      const j2 = decodeJwt(await cc(client, apiA.identifier)).jti!;
      await cli('token', 'revoke', j2);
      expect(revokedJtis(await drain(a, apiA, stream))).toEqual([j2]);
    });

    it('another tenant’s events are never delivered', async () => {
      const foreign = await cc(other, apiX.identifier);
      expect((await revoke(other, foreign)).status).toBe(200);
      const jti = decodeJwt(foreign).jti!;
      expect(revokedJtis(await drain(a, apiX, `sx-${rand()}`))).toContain(jti);
      for (const rs of [apiA, apiB]) {
        const seen = await drain(a, rs, `sother-${rand()}`);
        expect(revokedJtis(seen)).not.toContain(jti);
        for (const s of seen) expect(decodeJwt(s.set).aud).toBe(rs.identifier);
      }
    });

    it('a long poll on node b returns promptly when a revocation is written on node a (delivery measured)', async () => {
      const stream = `slong-${rand()}`;
      await drain(b, apiA, stream);
      const delays: number[] = [];
      let acks: string[] = [];
      for (let i = 0; i < 20; i++) {
        const t = await cc(client, apiA.identifier);
        const pending = poll(b, apiA, { stream, ack: acks, returnImmediately: false });
        await sleep(200); // let the poll reach its wait
        const t0 = performance.now();
        expect((await revoke(client, t)).status).toBe(200);
        const r = await pending;
        delays.push(performance.now() - t0);
        expect(r.status).toBe(200);
        const sets = r.json.sets as Record<string, string>;
        const jtis = Object.values(sets).map(
          (s) => (decodeJwt(s).events as Events)[TOKEN_REVOKED]?.jti,
        );
        expect(jtis).toContain(decodeJwt(t).jti);
        acks = Object.keys(sets);
        // Far inside REVOCATION_FEED_MAX_WAIT (25 s) and the 5 min resync: the broadcast woke
        // it (the wake takes milliseconds; half the wait is a generous bound).
        expect(delays.at(-1)).toBeLessThan(12_500);
      }
      await poll(b, apiA, { stream, ack: acks, maxEvents: 0 });
      delays.sort((x, y) => x - y);
      console.log(
        `feed: RFC 7009 revoke on node a → SET in a long poll on node b: p50 ${delays[10]!.toFixed(1)} ms, max ${delays[19]!.toFixed(1)} ms (n=20)`,
      );
    });

    it('SIGTERM while a long poll is held: the poll answers (empty) at once and the node exits', async () => {
      const c = await startServerProcess(db, { env: { ...nodeEnv, DATA_DIR: a.dataDir } });
      try {
        const stream = `sterm-${rand()}`;
        await drain(c, apiA, stream);
        const started = Date.now();
        const pending = poll(c, apiA, { stream, returnImmediately: false });
        await sleep(300); // let the poll reach its wait
        expect(await c.stop()).toBe(0);
        const r = await pending;
        expect(r.status).toBe(200);
        expect(r.json).toEqual({ sets: {}, moreAvailable: false });
        // Far inside REVOCATION_FEED_MAX_WAIT (25 s): shutdown did not wait the poll out.
        expect(Date.now() - started).toBeLessThan(12_500);
      } finally {
        await c.kill(); // a no-op once it has exited
      }
    });

    it('events and unacknowledged deliveries survive a Tessera restart', async () => {
      const stream = `srestart-${rand()}`;
      await drain(a, apiA, stream);
      const jti = decodeJwt(await cc(client, apiA.identifier)).jti!;
      await cli('token', 'revoke', jti);
      expect(revokedJtis(await drain(a, apiA, stream, false))).toEqual([jti]);
      await a.kill('SIGKILL');
      a = await startServerProcess(db, { env: { ...nodeEnv, DATA_DIR: a.dataDir } });
      await eventually(
        'the restarted node to serve the feed',
        async () => (await poll(a, apiA, { returnImmediately: true, maxEvents: 0 })).status === 200,
      );
      expect(revokedJtis(await drain(a, apiA, stream))).toEqual([jti]);
      expect(revokedJtis(await drain(a, apiA, `sfresh-${rand()}`))).toContain(jti);
    });
  });
});
