import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { DI } from '@tessera/application/di-tokens';
import type { TenantKeys } from '@tessera/infrastructure/crypto/tenant-keys';
import { ResourceServer } from '@tessera/resource-server';
import { AttestedTenantKeys } from '@tessera/resource-server/core/attested-keys';
import { ContractFeedServer } from '@tessera/testing/contract-feed-server';
import { basic, postForm, seedClient, type TestClient } from '@tessera/testing/oauth-fixtures';
import { freePort } from '@tessera/testing/redis-server';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { clientCredentialsToken } from '../support/oauth';

jest.setTimeout(120_000);

/*
 * ISSUER_MODE=tenant over real HTTP and Postgres: each tenant its own issuer, metadata and JWKS;
 * Tessera's own verifier and @tessera/resource-server (pinned to the platform trust anchor
 * only) accept a tenant's token only under that tenant's issuer and attested keys.
 */
const API = 'https://api.tenants.example';
type Jwks = { keys: (JWK & { tessera_attestation?: string })[] };

describe('tenant issuers › ISSUER_MODE=tenant', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let issuer: string;
  let A: TestClient;
  let B: TestClient;
  let feed: ContractFeedServer;

  const get = async <T>(path: string) => {
    const r = await fetch(`${app.url}${path}`);
    return { status: r.status, headers: r.headers, body: (await r.json()) as T };
  };
  const token = (c: TestClient) => clientCredentialsToken(app.url, c, { scope: 'read' });
  const introspect = async (c: TestClient, t: string) =>
    (await postForm(`${app.url}/oauth/introspect`, { token: t }, { authorization: basic(c) })).json;
  const me = async (t: string) =>
    (await fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${t}` } })).status;
  /** Signs with a tenant's real key whatever claims we like: tokens Tessera never issues. */
  const forge = async (signer: TestClient, claims: Record<string, unknown>) => {
    const keys = app.app.get<TenantKeys>(DI.TenantKeys);
    const t = await keys.forTenant(signer.tenantId);
    const now = Math.floor(Date.now() / 1000);
    return (
      await t.ring.sign(
        {
          sub: 'x',
          aud: API,
          iat: now,
          exp: now + 60,
          jti: `tok_${randomBytes(8).toString('hex')}`,
          client_id: signer.clientId,
          ...claims,
        },
        'at+jwt',
      )
    ).token;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    app = await startTestApp(db, {
      PORT: String(port),
      ISSUER: issuer,
      ISSUER_MODE: 'tenant',
      KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64url'),
      ACCESS_TOKEN_AUDIENCE: API,
      TENANT_KEY_ALG: 'ES256',
    });
    // Seeded through the directory (no CLI): their first keys come from the lazy path.
    A = await seedClient(app, { slug: 'tenant-a' });
    B = await seedClient(app, { slug: 'tenant-b' });
    feed = new ContractFeedServer(API);
    await feed.start();
  });
  afterAll(async () => {
    await feed?.stop();
    await app?.close();
    await db?.drop();
  });

  it('two tenants › different iss and keys; each issuer has its metadata (both locations) and its own JWKS', async () => {
    const [ta, tb] = [await token(A), await token(B)];
    expect(decodeJwt(ta).iss).toBe(`${issuer}/t/tenant-a`);
    expect(decodeJwt(tb).iss).toBe(`${issuer}/t/tenant-b`);
    const [ka, kb] = [decodeProtectedHeader(ta).kid!, decodeProtectedHeader(tb).kid!];
    expect(ka).not.toBe(kb);
    for (const path of [
      '/t/tenant-a/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/t/tenant-a',
    ]) {
      const m = await get<Record<string, unknown>>(path);
      expect(m.status).toBe(200);
      expect(m.body).toMatchObject({
        issuer: `${issuer}/t/tenant-a`,
        jwks_uri: `${issuer}/t/tenant-a/.well-known/jwks.json`,
        token_endpoint: `${issuer}/oauth/token`,
      });
    }
    const ja = await get<Jwks>('/t/tenant-a/.well-known/jwks.json');
    const jb = await get<Jwks>('/t/tenant-b/.well-known/jwks.json');
    expect(ja.headers.get('cache-control')).toBe('public, max-age=300');
    expect(ja.body.keys.map((k) => k.kid)).toEqual([ka]);
    expect(jb.body.keys.map((k) => k.kid)).toEqual([kb]);
    for (const k of ja.body.keys) expect(Object.keys(k)).not.toContain('d');
    const platform = await get<Jwks>('/.well-known/jwks.json');
    expect(platform.body.keys.map((k) => k.kid)).not.toContain(ka);
    expect((await get('/t/nobody/.well-known/jwks.json')).status).toBe(404);
    expect((await get('/t/Bad..Slug/.well-known/openid-configuration')).status).toBe(404);

    // A's token verifies against A's JWKS and issuer only.
    const jwksA = createLocalJWKSet(ja.body as never);
    const jwksB = createLocalJWKSet(jb.body as never);
    await expect(jwtVerify(ta, jwksA, { issuer: `${issuer}/t/tenant-a` })).resolves.toBeTruthy();
    await expect(jwtVerify(ta, jwksB)).rejects.toThrow();
    await expect(jwtVerify(ta, jwksA, { issuer: `${issuer}/t/tenant-b` })).rejects.toThrow();
  });

  it("Tessera's verifier › a tenant's token only under its own issuer, keys and tenant", async () => {
    const ta = await token(A);
    expect(await introspect(A, ta)).toMatchObject({ active: true, iss: `${issuer}/t/tenant-a` });
    expect(await me(ta)).toBe(200);
    // A's key, B's issuer: B's JWKS has no such kid.
    const wrongIssuer = await forge(A, { iss: `${issuer}/t/tenant-b`, org: B.tenantId });
    // B's key and issuer, claiming A's tenant.
    const wrongTenant = await forge(B, { iss: `${issuer}/t/tenant-b`, org: A.tenantId });
    // A's key under the platform issuer: not a platform key.
    const platformIss = await forge(A, { iss: issuer, org: A.tenantId });
    // An issuer outside ours.
    const foreign = await forge(A, { iss: 'https://evil.example/t/tenant-a', org: A.tenantId });
    for (const t of [wrongIssuer, wrongTenant, platformIss, foreign]) {
      expect(await me(t)).toBe(401);
      expect((await introspect(A, t)).active).toBe(false);
      expect((await introspect(B, t)).active).toBe(false);
    }
    // The control: a forged token with everything right is accepted (the forge is faithful).
    expect(await me(await forge(A, { iss: `${issuer}/t/tenant-a`, org: A.tenantId }))).toBe(200);
  });

  it('@tessera/resource-server pinned to the trust anchor only › verifies A and B, refuses unattested or misattested keys', async () => {
    const anchor = (await get<Jwks>('/.well-known/trust-anchor.json')).body.keys[0]!;
    const rs = await ResourceServer.create({
      issuer,
      identifier: API,
      trustAnchor: anchor,
      clientId: feed.credentials.clientId,
      clientSecret: feed.credentials.clientSecret,
      revocationEventsEndpoint: `${feed.url}/oauth/revocation-events`,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    try {
      const deadline = Date.now() + 30_000;
      let outcome = await rs.authenticate(`Bearer ${await token(A)}`);
      while (!outcome.ok && outcome.refusal.status === 503 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        outcome = await rs.authenticate(`Bearer ${await token(A)}`);
      }
      expect(outcome).toMatchObject({ ok: true, principal: { claims: { org: A.tenantId } } });
      expect(await rs.authenticate(`Bearer ${await token(B)}`)).toMatchObject({
        ok: true,
        principal: { claims: { org: B.tenantId } },
      });
      for (const t of [
        await forge(A, { iss: `${issuer}/t/tenant-b`, org: B.tenantId }),
        await forge(B, { iss: `${issuer}/t/tenant-b`, org: A.tenantId }),
      ]) {
        expect((await rs.authenticate(`Bearer ${t}`)).ok).toBe(false);
      }
    } finally {
      await rs.close();
    }

    // The attestation itself: for this key, this issuer; another anchor or tenant fails.
    const ja = (await get<Jwks>('/t/tenant-a/.well-known/jwks.json')).body.keys[0]!;
    const jwksOpts = { defaultMaxAgeSeconds: 300, cooldownSeconds: 30, fetch };
    const pinned = new AttestedTenantKeys(issuer, anchor, jwksOpts);
    expect(await pinned.verifyAttestation(ja, `${issuer}/t/tenant-a`)).toMatchObject({
      org: A.tenantId,
    });
    expect(await pinned.verifyAttestation(ja, `${issuer}/t/tenant-b`)).toBeUndefined();
    const jb = (await get<Jwks>('/t/tenant-b/.well-known/jwks.json')).body.keys[0]!;
    // B's attestation pasted onto A's key: the thumbprint does not match.
    expect(
      await pinned.verifyAttestation(
        { ...ja, tessera_attestation: jb.tessera_attestation },
        `${issuer}/t/tenant-a`,
      ),
    ).toBeUndefined();
    expect(
      await pinned.verifyAttestation(
        { ...ja, tessera_attestation: undefined },
        `${issuer}/t/tenant-a`,
      ),
    ).toBeUndefined();
    const { generateKeyPair, exportJWK } = await import('jose');
    const other = await exportJWK(
      (await generateKeyPair('EdDSA', { extractable: true })).publicKey,
    );
    const stranger = new AttestedTenantKeys(issuer, other, jwksOpts);
    expect(await stranger.verifyAttestation(ja, `${issuer}/t/tenant-a`)).toBeUndefined();
  });
});
