import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client as Pg } from 'pg';
import {
  base64url,
  createRemoteJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JWTPayload,
} from 'jose';
import { DI } from '@tessera/application/di-tokens';
import type { ManageTrustedIssuers } from '@tessera/application/manage-trusted-issuers/manage-trusted-issuers.use-case';
import { ManageResourceServers } from '@tessera/application/resource-servers/manage-resource-servers.use-case';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';
import { basic, postForm, seedClient, type TestClient } from '@tessera/testing/oauth-fixtures';
import { startWorkloadIssuer, type WorkloadIssuer } from '@tessera/testing/workload-issuer';
import {
  JWT_TYPE,
  ID_TOKEN_TYPE,
  ACCESS_TOKEN_TYPE,
  TOKEN_EXCHANGE as GRANT,
} from '../support/oauth';

const ISSUER = 'http://tessera.test';
const AUDIENCE = 'tessera-exchange';

describe('POST /oauth/token › grant_type=token-exchange (RFC 8693)', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let wl: WorkloadIssuer;
  let other: WorkloadIssuer;
  let a: TestClient;
  let b: TestClient;
  /** What the workload's `sub` becomes: namespaced by the trusted issuer's id, then its prefix. */
  let wlSubject: (sub: string) => string;
  const issuers = () => app.app.get<ManageTrustedIssuers>(DI.ManageTrustedIssuers);

  const exchange = (
    client: TestClient,
    subjectToken: string | undefined,
    extra: Record<string, string> = {},
  ) =>
    postForm(
      `${app.url}/oauth/token`,
      {
        grant_type: GRANT,
        ...(subjectToken === undefined ? {} : { subject_token: subjectToken }),
        subject_token_type: JWT_TYPE,
        ...extra,
      },
      { authorization: basic(client) },
    );

  /** RFC 8693 §2.2.2: an invalid or unacceptable subject token is invalid_request. */
  const expectRejected = (res: Awaited<ReturnType<typeof exchange>>, why?: RegExp) => {
    expect({ status: res.status, error: res.json.error }).toEqual({
      status: 400,
      error: 'invalid_request',
    });
    expect(res.json.access_token).toBeUndefined();
    if (why) expect(res.json.error_description).toMatch(why);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db, { ISSUER, DEV_KEY_ALG: 'RS256', CLOCK_SKEW_LEEWAY: '30s' });
    wl = await startWorkloadIssuer({ audience: AUDIENCE });
    other = await startWorkloadIssuer({ audience: AUDIENCE });
    a = await seedClient(app, { grants: [GRANT], scopes: ['read', 'write'] });
    b = await seedClient(app, { grants: [GRANT], scopes: ['read', 'write'] });
    const trusted = await issuers().add(
      a.tenantId,
      {
        issuer: wl.url,
        jwksUri: wl.jwksUri,
        audience: AUDIENCE,
        subjectPrefix: 'wl:',
        scopes: ['read', 'deploy'],
        role: 'member',
      },
      'test',
    );
    wlSubject = (sub) => `ext:${trusted.id}:wl:${sub}`;
    // `other` is trusted by tenant B only.
    await issuers().add(
      b.tenantId,
      { issuer: other.url, jwksUri: other.jwksUri, audience: AUDIENCE, scopes: ['read'] },
      'test',
    );
  });
  afterAll(async () => {
    await app?.close();
    await wl?.close();
    await other?.close();
    await db?.drop();
  });

  it('issues a Tessera access token for the workload: sub/org/client_id/scope/role, no act, no refresh token', async () => {
    const res = await exchange(a, await wl.sign({ sub: 'ci-runner' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json).toEqual({
      access_token: expect.any(String),
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'read',
    });
    const jwks = createRemoteJWKSet(new URL(`${app.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(res.json.access_token as string, jwks, {
      issuer: ISSUER,
      audience: 'tessera-api',
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: wlSubject('ci-runner'),
      org: a.tenantId,
      client_id: a.clientId,
      scope: 'read',
      role: 'member',
    });
    expect(payload.sub).toMatch(/^ext:tis_[0-9a-z]{26}:wl:ci-runner$/);
    // No actor token, no delegation: the workload trades its own identity.
    expect(payload.act).toBeUndefined();
    expect(payload.jti).toMatch(/^tok_/);

    const me = await fetch(`${app.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${res.json.access_token as string}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: wlSubject('ci-runner'), tenant: a.tenantId });

    const pg = new Pg({ connectionString: db.ownerUrl });
    await pg.connect();
    try {
      // The owner is bound by RLS too (FORCE): read as the tenant.
      await pg.query('BEGIN');
      await pg.query(`SELECT set_config('app.tenant_id', $1, true)`, [a.tenantId]);
      const { rows } = await pg.query(
        'SELECT tenant_id, subject, client_id, created_via, kind FROM tessera.api_tokens WHERE jti = $1',
        [payload.jti],
      );
      expect(rows).toEqual([
        {
          tenant_id: a.tenantId,
          subject: wlSubject('ci-runner'),
          client_id: a.clientId,
          created_via: 'token_exchange',
          kind: 'access',
        },
      ]);
      await pg.query('COMMIT');
    } finally {
      await pg.end();
    }
  });

  it('subject_token_type id_token is accepted; an explicit scope and requested_token_type=access_token too', async () => {
    const res = await exchange(a, await wl.sign(), {
      subject_token_type: ID_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
      scope: 'read',
      audience: 'tessera-api',
    });
    expect(res.status).toBe(200);
    expect(res.json.scope).toBe('read');
  });

  it('the issuer’s JWKS is fetched once and cached across exchanges', async () => {
    expect((await exchange(a, await wl.sign())).status).toBe(200);
    const fetched = wl.hits('/jwks');
    expect(fetched).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5; i++) expect((await exchange(a, await wl.sign())).status).toBe(200);
    expect(wl.hits('/jwks')).toBe(fetched);
  });

  it('an issuer the tenant does not trust → invalid_request', async () => {
    const stranger = await startWorkloadIssuer({ audience: AUDIENCE });
    try {
      expectRejected(await exchange(a, await stranger.sign()), /not trusted/);
      expect(stranger.hits()).toBe(0);
    } finally {
      await stranger.close();
    }
  });

  it('an issuer trusted by another tenant only → refused for this tenant, accepted for that one', async () => {
    const token = await other.sign({ sub: 'batch-7' });
    expectRejected(await exchange(a, token), /not trusted/);
    expect(other.hits('/jwks')).toBe(0);
    const ok = await exchange(b, token);
    expect(ok.status).toBe(200);
    const { payload } = await jwtVerify(
      ok.json.access_token as string,
      createRemoteJWKSet(new URL(`${app.url}/.well-known/jwks.json`)),
      { issuer: ISSUER, audience: 'tessera-api' },
    );
    // No subject prefix on this issuer: the subject is still namespaced by the issuer's id.
    expect(payload.sub).toMatch(/^ext:tis_[0-9a-z]{26}:batch-7$/);
    expect(payload).toMatchObject({ org: b.tenantId, client_id: b.clientId });
    expect(payload.role).toBeUndefined();
  });

  it('an external sub shaped like a Tessera user or client id still comes out namespaced', async () => {
    for (const lookalike of [a.clientId, 'user_01h455vb4pex5vsknk084sn02q']) {
      const ok = await exchange(b, await other.sign({ sub: lookalike }));
      expect(ok.status).toBe(200);
      const sub = decodeJwt(ok.json.access_token as string).sub!;
      expect(sub).not.toBe(lookalike);
      expect(sub).toMatch(new RegExp(`^ext:tis_[0-9a-z]{26}:${lookalike}$`));
    }
  });

  it('an issuer that only looks like the trusted one (trailing slash, other path) → invalid_request', async () => {
    expectRejected(await exchange(a, await wl.sign({ iss: `${wl.url}/` })), /not trusted/);
    expectRejected(await exchange(a, await wl.sign({ iss: `${wl.url}/x` })), /not trusted/);
  });

  it('wrong audience, missing audience → invalid_request', async () => {
    expectRejected(await exchange(a, await wl.sign({ aud: 'someone-else' })), /aud/);
    expectRejected(await exchange(a, await wl.sign({}, { omit: ['aud'] })), /aud/);
  });

  it('expired, no exp, nbf in the future beyond the leeway → invalid_request', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectRejected(await exchange(a, await wl.sign({ iat: now - 900, exp: now - 120 })), /expired/);
    expectRejected(await exchange(a, await wl.sign({}, { omit: ['exp'] })), /exp/);
    expectRejected(await exchange(a, await wl.sign({ nbf: now + 600 })), /nbf/);
  });

  it('no sub → invalid_request', async () => {
    expectRejected(await exchange(a, await wl.sign({}, { omit: ['sub'] })));
  });

  it('bad signature: a key not in the JWKS, under the trusted kid or an unknown one → invalid_request', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expectRejected(await exchange(a, await wl.sign({}, { key: privateKey })));
    expectRejected(
      await exchange(a, await wl.sign({}, { key: privateKey, header: { kid: 'ghost' } })),
    );
    // Altered claims under the original signature.
    const [h, , s] = (await wl.sign()).split('.');
    const forged = base64url.encode(
      JSON.stringify({
        iss: wl.url,
        aud: AUDIENCE,
        sub: 'root',
        exp: Math.floor(Date.now() / 1000) + 300,
      }),
    );
    expectRejected(await exchange(a, `${h}.${forged}.${s}`));
  });

  it('alg none (any case, with or without a signature) and HS256 keyed with the public JWK → invalid_request', async () => {
    const payload = base64url.encode(
      JSON.stringify({
        iss: wl.url,
        aud: AUDIENCE,
        sub: 'root',
        exp: Math.floor(Date.now() / 1000) + 300,
      }),
    );
    for (const alg of ['none', 'None', 'NONE']) {
      const header = base64url.encode(JSON.stringify({ alg, typ: 'JWT', kid: wl.kid }));
      expectRejected(await exchange(a, `${header}.${payload}.`));
      expectRejected(await exchange(a, `${header}.${payload}.AAAA`));
    }
    const hmacKey = new TextEncoder().encode(JSON.stringify(wl.publicJwk));
    const hs = await new SignJWT({ iss: wl.url, aud: AUDIENCE, sub: 'root' })
      .setProtectedHeader({ alg: 'HS256', kid: wl.kid })
      .setExpirationTime('5m')
      .sign(hmacKey);
    expectRejected(await exchange(a, hs), /algorithm/);
  });

  it('a token naming its own key (jku, x5u, jwk) is refused and the named URL is never contacted', async () => {
    const evilKeys = await generateKeyPair('ES256');
    const evilJwk = { ...(await exportJWK(evilKeys.publicKey)), kid: 'evil', alg: 'ES256' };
    let evilHits = 0;
    const evil = createServer((_req, res) => {
      evilHits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [evilJwk] }));
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/jwks`;
    try {
      const jwksBefore = wl.hits('/jwks');
      const cases: [Record<string, unknown>, boolean][] = [
        [{ jku: evilUrl, kid: 'evil' }, true],
        [{ jku: evilUrl }, false], // our own key, still refused
        [{ x5u: evilUrl, kid: 'evil' }, true],
        [{ jwk: evilJwk, kid: 'evil' }, true],
      ];
      for (const [header, signWithEvil] of cases) {
        const token = await wl.sign(
          {},
          { header, ...(signWithEvil ? { key: evilKeys.privateKey } : {}) },
        );
        expectRejected(await exchange(a, token), /names a key or URL/);
      }
      expect(evilHits).toBe(0);
      // Refused before anything was looked up or fetched.
      expect(wl.hits('/jwks')).toBe(jwksBefore);
    } finally {
      evil.closeAllConnections();
      await new Promise((r) => evil.close(r));
    }
  });

  it('malformed subject tokens (not a JWT, bad base64url, huge) → invalid_request, never 5xx', async () => {
    for (const t of [
      'not-a-jwt',
      'a.b',
      'a.b.c.d',
      '!!!.???.***',
      `${'A'.repeat(13_000)}.e30.sig`,
      `${base64url.encode('{"alg":"ES256"')}.e30.c2ln`,
    ]) {
      expectRejected(await exchange(a, t));
    }
  });

  it('scope beyond the issuer’s or the client’s → invalid_scope', async () => {
    // deploy: the issuer allows it, the client was not registered for it.
    const deploy = await exchange(a, await wl.sign(), { scope: 'deploy' });
    expect({ status: deploy.status, error: deploy.json.error }).toEqual({
      status: 400,
      error: 'invalid_scope',
    });
    // write: the client has it, the issuer does not grant it.
    const write = await exchange(a, await wl.sign(), { scope: 'read write' });
    expect(write.json.error).toBe('invalid_scope');
  });

  it('a client not registered for the grant → unauthorized_client', async () => {
    const cc = await seedClient(app, { tenantId: a.tenantId, grants: ['client_credentials'] });
    const res = await exchange(cc, await wl.sign());
    expect({ status: res.status, error: res.json.error }).toEqual({
      status: 400,
      error: 'unauthorized_client',
    });
  });

  it('no or bad client authentication → invalid_client', async () => {
    const res = await exchange({ ...a, secret: 'wrong' }, await wl.sign());
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('invalid_client');
  });

  it('missing subject_token or subject_token_type → invalid_request', async () => {
    const none = await exchange(a, undefined);
    expect(none.json).toMatchObject({ error: 'invalid_request' });
    expect(none.json.error_description).toMatch(/subject_token is required/);
    const noType = await postForm(
      `${app.url}/oauth/token`,
      { grant_type: GRANT, subject_token: await wl.sign() },
      { authorization: basic(a) },
    );
    expect(noType.json.error_description).toMatch(/subject_token_type is required/);
  });

  it('unsupported subject_token_type, requested_token_type, actor_token → invalid_request (RFC 8693 §2.2.2)', async () => {
    const token = await wl.sign();
    for (const extra of <Record<string, string>[]>[
      { subject_token_type: ACCESS_TOKEN_TYPE },
      { subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' },
      { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
      { actor_token: token, actor_token_type: JWT_TYPE },
    ]) {
      const res = await exchange(a, token, extra);
      expect({ extra, status: res.status, error: res.json.error }).toEqual({
        extra,
        status: 400,
        error: 'invalid_request',
      });
    }
  });

  it('resource=<a registered API the client may ask for> (RFC 8707) › aud is that resource server’s identifier', async () => {
    const api = 'https://deploy-api.exchange.test';
    const rs = new ManageResourceServers(app.app.get(DI.ResourceServers), app.app.get(DI.AuditLog));
    // A client of tenant A no request has looked up yet (clients are cached with what they may
    // ask for).
    const fresh = await seedClient(app, {
      tenantId: a.tenantId,
      grants: [GRANT],
      scopes: ['read'],
    });
    await rs.create(a.tenantId, { identifier: api, scopes: ['read'] }, 'test');
    await rs.allow(a.tenantId, fresh.clientId, [api], 'test');
    const res = await exchange(fresh, await wl.sign({ sub: 'deployer' }), { resource: api });
    expect(res.status).toBe(200);
    expect(res.json.scope).toBe('read');
    const jwks = createRemoteJWKSet(new URL(`${app.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(res.json.access_token as string, jwks, {
      issuer: ISSUER,
      audience: api,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      aud: api,
      sub: wlSubject('deployer'),
      client_id: fresh.clientId,
    });
  });

  it('an audience or resource Tessera does not issue for → invalid_target', async () => {
    for (const extra of <Record<string, string>[]>[
      { audience: 'https://elsewhere.example' },
      { resource: 'https://x.example/api' },
    ]) {
      const res = await exchange(a, await wl.sign(), extra);
      expect({ status: res.status, error: res.json.error }).toEqual({
        status: 400,
        error: 'invalid_target',
      });
    }
  });

  it('the issuer’s JWKS unreachable → 503 temporarily_unavailable, never 500', async () => {
    const down = await startWorkloadIssuer({ audience: AUDIENCE });
    const token = await down.sign();
    await issuers().add(
      a.tenantId,
      { issuer: down.url, jwksUri: down.jwksUri, audience: AUDIENCE, scopes: ['read'] },
      'test',
    );
    await down.close();
    const res = await exchange(a, token);
    expect({ status: res.status, error: res.json.error }).toEqual({
      status: 503,
      error: 'temporarily_unavailable',
    });
  });

  /** A fresh issuer trusted by tenant A, so a test's fetch counts are its own. */
  const trustedIssuer = async (alg?: 'ES256' | 'RS256' | 'EdDSA') => {
    const issuer = await startWorkloadIssuer({ audience: AUDIENCE, alg });
    await issuers().add(
      a.tenantId,
      { issuer: issuer.url, jwksUri: issuer.jwksUri, audience: AUDIENCE, scopes: ['read'] },
      'test',
    );
    return issuer;
  };
  const expectUnavailable = (res: Awaited<ReturnType<typeof exchange>>) => {
    expect({ status: res.status, error: res.json.error }).toEqual({
      status: 503,
      error: 'temporarily_unavailable',
    });
    expect(res.json.access_token).toBeUndefined();
  };

  it('a JWKS URL that never answers → 503 temporarily_unavailable once the fetch times out (the request is not held forever)', async () => {
    const hung = await trustedIssuer();
    try {
      hung.setJwks('hang');
      // No elapsed-time bound: the fetch timeout (3 s) is what lets this resolve before the
      // test's own generous timeout; without it the request would hang.
      expectUnavailable(await exchange(a, await hung.sign()));
      expect(hung.hits('/jwks')).toBeGreaterThanOrEqual(1);
    } finally {
      await hung.close();
    }
  }, 60_000);

  it('a URL that answers 200 with something that is not a JWKS → 503 temporarily_unavailable', async () => {
    const odd = await trustedIssuer();
    try {
      odd.setJwks('not-jwks');
      expectUnavailable(await exchange(a, await odd.sign()));
      expect(odd.hits('/jwks')).toBeGreaterThanOrEqual(1);
      // The same issuer, once its URL serves keys again, is accepted.
      odd.setJwks('serve');
      expect((await exchange(a, await odd.sign())).status).toBe(200);
    } finally {
      await odd.close();
    }
  });

  it('unknown kids do not refetch the JWKS on every request (at most once per cooldown)', async () => {
    const wk = await trustedIssuer();
    try {
      expect((await exchange(a, await wk.sign())).status).toBe(200);
      const fetched = wk.hits('/jwks');
      expect(fetched).toBeGreaterThanOrEqual(1);
      const { privateKey } = await generateKeyPair('ES256');
      for (let i = 0; i < 6; i++) {
        const token = await wk.sign({}, { key: privateKey, header: { kid: `unknown-${i}` } });
        expectRejected(await exchange(a, token));
      }
      // The cooldown is 30 s; even if this machine were slow enough for it to pass once, six
      // unknown kids may cause one refetch, never six.
      expect(wk.hits('/jwks')).toBeLessThanOrEqual(fetched + 1);
      // The cached keys still verify.
      expect((await exchange(a, await wk.sign())).status).toBe(200);
    } finally {
      await wk.close();
    }
  });

  it.each(['RS256', 'EdDSA'] as const)(
    '%s subject tokens are accepted (and a token claiming another alg under the same key is not)',
    async (alg) => {
      const issuer = await trustedIssuer(alg);
      try {
        const res = await exchange(a, await issuer.sign({ sub: `${alg}-runner` }));
        expect(res.status).toBe(200);
        const jwks = createRemoteJWKSet(new URL(`${app.url}/.well-known/jwks.json`));
        const { payload } = await jwtVerify(res.json.access_token as string, jwks, {
          issuer: ISSUER,
        });
        expect(payload.sub).toMatch(new RegExp(`^ext:tis_[0-9a-z]{26}:${alg}-runner$`));
        const [, p, s] = (await issuer.sign()).split('.');
        const relabelled = base64url.encode(
          JSON.stringify({ alg: alg === 'RS256' ? 'PS256' : 'ES256', kid: issuer.kid }),
        );
        expectRejected(await exchange(a, `${relabelled}.${p}.${s}`));
      } finally {
        await issuer.close();
      }
    },
  );

  it('x5c and crit headers are refused before any fetch, even when validly signed', async () => {
    const wk = await trustedIssuer();
    try {
      const x5c = await wk.sign({}, { header: { x5c: ['MIIBszCCAVmgAwIBAgIUNotACertificate'] } });
      const crit = await wk.sign(
        {},
        {
          header: { crit: ['urn:tessera:test'], 'urn:tessera:test': 1 },
          crit: { 'urn:tessera:test': true },
        },
      );
      for (const token of [x5c, crit])
        expectRejected(await exchange(a, token), /names a key or URL/);
      expect(wk.hits('/jwks')).toBe(0);
      // The same issuer's plain token is accepted: the refusal was the header.
      expect((await exchange(a, await wk.sign())).status).toBe(200);
    } finally {
      await wk.close();
    }
  });

  it('a removed issuer’s tokens are refused at once', async () => {
    const gone = await startWorkloadIssuer({ audience: AUDIENCE });
    try {
      const row = await issuers().add(
        a.tenantId,
        { issuer: gone.url, jwksUri: gone.jwksUri, audience: AUDIENCE, scopes: ['read'] },
        'test',
      );
      expect((await exchange(a, await gone.sign())).status).toBe(200);
      await issuers().remove(a.tenantId, row.id, 'test');
      expectRejected(await exchange(a, await gone.sign()), /not trusted/);
    } finally {
      await gone.close();
    }
  });

  it('discovery advertises the grant and the endpoint accepts it', async () => {
    const meta = (await (
      await fetch(`${app.url}/.well-known/oauth-authorization-server`)
    ).json()) as { grant_types_supported: string[] };
    expect(meta.grant_types_supported).toContain(GRANT);
    const res = await exchange(a, await wl.sign());
    expect(res.json.error).not.toBe('unsupported_grant_type');
    expect(res.status).toBe(200);
  });

  it('a sub that would exceed 255 characters with the prefix → invalid_request', async () => {
    const claims: JWTPayload = { sub: 'x'.repeat(254) };
    expectRejected(await exchange(a, await wl.sign(claims)), /too long/);
  });
});
