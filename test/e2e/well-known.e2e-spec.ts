import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DI } from '@tessera/application/di-tokens';
import type { TokenSigner } from '@tessera/domain/token/token-signer.port';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';

describe('JWKS and discovery', () => {
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db, { ISSUER: 'http://issuer.test' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('a token from the app’s TokenSigner verifies with jose createRemoteJWKSet against /.well-known/jwks.json', async () => {
    const signer = app.app.get<TokenSigner>(DI.TokenSigner);
    const now = Math.floor(Date.now() / 1000);
    const { token } = await signer.sign(
      { iss: 'http://issuer.test', sub: 's', aud: 'tessera-api', iat: now, exp: now + 60 },
      'at+jwt',
    );
    const jwks = createRemoteJWKSet(new URL(`${app.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: 'http://issuer.test',
      audience: 'tessera-api',
      typ: 'at+jwt',
    });
    expect(payload.sub).toBe('s');
    expect(protectedHeader.kid).toBe(signer.kid);
  });

  it('the JWKS has no private member', async () => {
    const res = await fetch(`${app.url}/.well-known/jwks.json`);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(m);
      expect(k).toMatchObject({ use: 'sig', kid: expect.any(String), alg: expect.any(String) });
    }
  });
});
