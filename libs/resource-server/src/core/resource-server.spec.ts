import { ContractFeedServer } from '@tessera/testing/contract-feed-server';
import type { Logger } from './options';
import { EVENT } from './revocation-replica';
import { ResourceServer, type AuthOutcome } from './resource-server';

const API = 'https://api-a.example';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await sleep(50);
  }
}

const logs: string[] = [];
const logger: Logger = {
  info: (m) => logs.push(`info ${m}`),
  warn: (m) => logs.push(`warn ${m}`),
  error: (m) => logs.push(`error ${m}`),
};
const bearer = (t: string) => `Bearer ${t}`;
const status = (o: AuthOutcome) => (o.ok ? 200 : o.refusal.status);

describe('@tessera/resource-server against a contract-speaking feed', () => {
  let peer: ContractFeedServer;
  let rs: ResourceServer;

  const create = (over: Partial<Parameters<typeof ResourceServer.create>[0]> = {}) =>
    ResourceServer.create({
      issuer: peer.issuer,
      identifier: API,
      clientId: peer.credentials.clientId,
      clientSecret: peer.credentials.clientSecret,
      logger,
      ...over,
    });
  const synced = (server: ResourceServer) =>
    until(
      'the initial snapshot',
      () => server.status().state,
      (s) => s === 'live',
    );

  beforeEach(async () => {
    logs.length = 0;
    peer = new ContractFeedServer(API);
    await peer.start();
    rs = await create();
    await synced(rs);
  });
  afterEach(async () => {
    await rs.close();
    await peer.stop();
  });

  describe('RFC 9068 verification', () => {
    it('accepts a token naming this API with the scope the route needs', async () => {
      const o = await rs.authenticate(bearer(await peer.token()), ['invoices:read']);
      expect(o.ok && o.principal.claims.client_id).toBe('cli_a');
    });

    it('missing token › 401 with a challenge carrying no error code (RFC 6750 §3.1)', async () => {
      const o = await rs.authenticate(undefined);
      expect(!o.ok && o.refusal.headers['WWW-Authenticate']).toBe(`Bearer realm="${API}"`);
      expect(status(o)).toBe(401);
    });

    const refusedAsInvalid = (name: string, make: () => Promise<string>) =>
      it(`refuses ${name} with 401 invalid_token`, async () => {
        const o = await rs.authenticate(bearer(await make()), []);
        expect(status(o)).toBe(401);
        expect(!o.ok && o.refusal.headers['WWW-Authenticate']).toMatch(/error="invalid_token"/);
      });
    refusedAsInvalid('a token for another API', () => peer.token({ aud: 'https://api-b.example' }));
    refusedAsInvalid('a wrong typ', () => peer.token({}, { typ: 'JWT' }));
    refusedAsInvalid('an expired token', () =>
      peer.token({ exp: Math.floor(Date.now() / 1000) - 120 }),
    );
    refusedAsInvalid('a jku header', () => peer.token({}, { jku: 'https://evil.example/jwks' }));
    refusedAsInvalid('alg none', async () => {
      const [, p] = (await peer.token()).split('.');
      return `${b64({ alg: 'none', kid: 'k1', typ: 'at+jwt' })}.${p}.`;
    });
    refusedAsInvalid('a bad signature', async () => {
      const [h, , s] = (await peer.token()).split('.');
      return `${h}.${b64({ iss: peer.issuer, aud: API, sub: 'admin' })}.${s}`;
    });

    it('missing scope › 403 insufficient_scope naming the scope (RFC 6750 §3.1)', async () => {
      const o = await rs.authenticate(bearer(await peer.token()), ['invoices:write']);
      expect(status(o)).toBe(403);
      expect(!o.ok && o.refusal.headers['WWW-Authenticate']).toBe(
        `Bearer realm="${API}", error="insufficient_scope", scope="invoices:write"`,
      );
    });

    it('an unknown kid refetches the JWKS (a rotation), at most once per cooldown', async () => {
      const before = peer.jwksFetches;
      const signNew = await peer.rotate('k2');
      await rs.close();
      rs = await create({ jwksCooldownSeconds: 0 });
      await synced(rs);
      const afterStart = peer.jwksFetches;
      expect(afterStart).toBeGreaterThan(before);
      const signLater = await peer.rotate('k3');
      expect(status(await rs.authenticate(bearer(await signNew()), []))).toBe(200);
      expect(status(await rs.authenticate(bearer(await signLater()), []))).toBe(200);
      expect(peer.jwksFetches).toBe(afterStart + 1);

      await rs.close();
      rs = await create({ jwksCooldownSeconds: 3600 });
      await synced(rs);
      const fetches = peer.jwksFetches;
      for (let i = 0; i < 5; i++) {
        expect(
          status(await rs.authenticate(bearer(await peer.token({}, { kid: 'nope' })), [])),
        ).toBe(401);
      }
      expect(peer.jwksFetches).toBe(fetches);
    });
  });

  it('a remembered token is answered synchronously, with the same answers: scopes per route, spaces as BEARER allows, a tab still malformed', async () => {
    const token = await peer.token({ scope: 'invoices:read' });
    expect(rs.authenticateKnown(bearer(token), ['invoices:read'])).toBeUndefined(); // not seen yet
    expect(status(await rs.authenticate(bearer(token), ['invoices:read']))).toBe(200);
    const known = rs.authenticateKnown(bearer(token), ['invoices:read']);
    expect(known && status(known)).toBe(200);
    expect(known).toEqual(await rs.authenticate(bearer(token), ['invoices:read']));
    const more = rs.authenticateKnown(bearer(token), ['invoices:read', 'invoices:write']);
    expect(more && status(more)).toBe(403);
    const spaced = rs.authenticateKnown(`Bearer   ${token}  `, []);
    expect(spaced && status(spaced)).toBe(200);
    const tab = rs.authenticateKnown(`Bearer\t${token}`, []);
    expect(tab && !tab.ok && tab.refusal.body.error_description).toBe(
      'the access token is malformed',
    );
  });

  it('a remembered verification ends when its key leaves the JWKS', async () => {
    const sign = await peer.rotate('k_old');
    peer.jwksCacheControl = 'max-age=0';
    await rs.close();
    rs = await create({ jwksCooldownSeconds: 0 });
    await synced(rs);
    const t = await sign();
    expect(status(await rs.authenticate(bearer(t), []))).toBe(200);
    expect(status(await rs.authenticate(bearer(t), []))).toBe(200);
    peer.retire('k_old');
    await until(
      'refusal',
      async () => status(await rs.authenticate(bearer(t), [])),
      (s) => s === 401,
    );
  });

  describe('revocation feed replica (RFC 8936 poll delivery)', () => {
    it('polls with basic auth, one random stream per process, acknowledging what it received', async () => {
      const id = await peer.publish(EVENT.tokenRevoked, {
        jti: 'tok_x',
        exp: Math.floor(Date.now() / 1000) + 300,
      });
      await until('the ack', () => peer.polls.some((p) => p.ack.includes(id)), Boolean);
      const streams = new Set(peer.polls.map((p) => p.stream));
      expect(streams.size).toBe(1);
      expect([...streams][0]).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(peer.polls[0].returnImmediately).toBe(true);
      expect(peer.polls.at(-1)!.returnImmediately).toBe(false);
      const other = await create();
      await synced(other);
      expect(other.status().stream).not.toBe(rs.status().stream);
      await other.close();
    });

    it('token-revoked › the token is refused with invalid_token', async () => {
      const jti = 'tok_revoked';
      const token = await peer.token({ jti });
      expect(status(await rs.authenticate(bearer(token), []))).toBe(200);
      await peer.publish(EVENT.tokenRevoked, { jti, exp: Math.floor(Date.now() / 1000) + 300 });
      const o = await until(
        'the refusal',
        () => rs.authenticate(bearer(token), []),
        (x) => !x.ok,
      );
      expect(!o.ok && o.refusal.body.error_description).toBe('the access token has been revoked');
      expect(status(await rs.authenticate(bearer(await peer.token()), []))).toBe(200);
    });

    it('client-revoked and subject-revoked › tokens issued up to the cut-off are refused, later ones pass', async () => {
      const now = Math.floor(Date.now() / 1000);
      const old = await peer.token({ client_id: 'cli_gone', iat: now - 10 });
      const oldSub = await peer.token({ sub: 'user_gone', iat: now - 10 });
      await peer.publish(EVENT.clientRevoked, {
        client_id: 'cli_gone',
        iat_before: now - 5,
        exp: now + 300,
      });
      await peer.publish(EVENT.subjectRevoked, {
        sub: 'user_gone',
        iat_before: now - 5,
        exp: now + 300,
      });
      await until(
        'both refused',
        async () => [
          status(await rs.authenticate(bearer(old), [])),
          status(await rs.authenticate(bearer(oldSub), [])),
        ],
        (s) => s.every((x) => x === 401),
      );
      expect(
        status(await rs.authenticate(bearer(await peer.token({ client_id: 'cli_gone' })), [])),
      ).toBe(200);
    });

    it('a restarted process receives the revocations made before it started (snapshot first)', async () => {
      const token = await peer.token({ jti: 'tok_before' });
      await peer.publish(EVENT.tokenRevoked, {
        jti: 'tok_before',
        exp: Math.floor(Date.now() / 1000) + 300,
      });
      const fresh = await create();
      await synced(fresh);
      expect(status(await fresh.authenticate(bearer(token), []))).toBe(401);
      await fresh.close();
    });

    it('a SET for another audience is refused with setErrs and not applied', async () => {
      const token = await peer.token({ jti: 'tok_other' });
      const id = await peer.publish(
        EVENT.tokenRevoked,
        { jti: 'tok_other', exp: Math.floor(Date.now() / 1000) + 300 },
        { aud: 'https://api-b.example' },
      );
      await until('the setErr', () => peer.polls.some((p) => id in p.setErrs), Boolean);
      expect(status(await rs.authenticate(bearer(token), []))).toBe(200);
    });

    it('fails closed with 503 once the feed is unreachable past the bound, logs it once, and recovers', async () => {
      await rs.close();
      rs = await create({ failClosedAfterSeconds: 1 });
      await synced(rs);
      const token = await peer.token();
      peer.feedMode = 'drop';
      await until(
        'fail closed',
        () => rs.authenticate(bearer(token), []),
        (o) => status(o) === 503,
      );
      expect(rs.status().state).toBe('failed_closed');
      await sleep(1500);
      expect(logs.filter((l) => l.startsWith('error ') && l.includes('503')).length).toBe(1);
      peer.feedMode = 'up';
      await until(
        'recovery',
        () => rs.authenticate(bearer(token), []),
        (o) => o.ok,
      );
      expect(rs.status()).toMatchObject({ state: 'live', unreachableSeconds: 0 });
      expect(logs.some((l) => l.includes('back'))).toBe(true);
    });

    describe("a quiet feed held for the server's whole long-poll wait (pollTimeoutSeconds)", () => {
      // Scaled down: the server holds a quiet poll 1.5 s (Tessera: REVOCATION_FEED_MAX_WAIT,
      // at most 25 s) and the API fails closed after 1 s of failing polls (default 60 s).
      let quiet: ContractFeedServer;
      beforeEach(async () => {
        quiet = new ContractFeedServer(API, undefined, 1500);
        await quiet.start();
      });
      afterEach(() => quiet.stop());
      const onQuiet = (pollTimeoutSeconds: number) =>
        ResourceServer.create({
          issuer: quiet.issuer,
          identifier: API,
          clientId: quiet.credentials.clientId,
          clientSecret: quiet.credentials.clientSecret,
          failClosedAfterSeconds: 1,
          pollTimeoutSeconds,
          logger,
        });
      const longPolls = () => quiet.polls.filter((p) => !p.returnImmediately).length;

      it('a poll timeout above the wait › several quiet long polls, never failed_closed', async () => {
        const api = await onQuiet(3);
        try {
          await synced(api);
          const states = new Set<string>();
          await until(
            'three quiet long polls held to the end',
            () => (states.add(api.status().state), longPolls()),
            (n) => n >= 4,
          );
          expect([...states]).toEqual(['live']);
          expect(api.status().unreachableSeconds).toBe(0);
          expect(status(await api.authenticate(bearer(await quiet.token()), []))).toBe(200);
        } finally {
          await api.close();
        }
      });

      it('a poll timeout below the wait › every quiet poll fails and the API fails closed', async () => {
        const api = await onQuiet(0.5);
        try {
          await synced(api);
          await until(
            'fail closed',
            () => api.status().state,
            (s) => s === 'failed_closed',
          );
        } finally {
          await api.close();
        }
      });
    });

    it('pollTimeoutSeconds must be a positive number', async () => {
      await expect(create({ pollTimeoutSeconds: 0 })).rejects.toThrow(/pollTimeoutSeconds/);
      await expect(create({ pollTimeoutSeconds: Number.NaN })).rejects.toThrow(
        /pollTimeoutSeconds/,
      );
    });

    it('keeps answering while the feed fails within the bound, and reports lag and state', async () => {
      const token = await peer.token();
      peer.feedMode = 'error';
      await until(
        'degraded',
        () => rs.status().state,
        (s) => s === 'degraded',
      );
      expect(status(await rs.authenticate(bearer(token), []))).toBe(200);
      expect(rs.status().lagSeconds).toBeGreaterThanOrEqual(0);
      peer.feedMode = 'up';
    });

    it('before the first snapshot › 503, then answers once synced', async () => {
      peer.feedMode = 'error';
      const early = await create();
      const token = await peer.token();
      await until(
        'a failed poll',
        () => early.status().unreachableSeconds,
        (s) => s > 0,
      );
      expect(status(await early.authenticate(bearer(token), []))).toBe(503);
      peer.feedMode = 'up';
      await synced(early);
      expect(status(await early.authenticate(bearer(token), []))).toBe(200);
      await early.close();
    });

    it('wrong feed credentials › never synced, requests refused with 503', async () => {
      const wrong = await create({ clientSecret: 'not-it' });
      await until(
        'a refused poll',
        () => wrong.status().unreachableSeconds,
        (s) => s > 0,
      );
      expect(status(await wrong.authenticate(bearer(await peer.token()), []))).toBe(503);
      expect(wrong.status().state).toBe('starting');
      await wrong.close();
    });
  });
});
