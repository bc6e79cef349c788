import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { BACKCHANNEL_LOGOUT_EVENT, verifyLogoutToken } from './logout-token';

const ISS = 'https://idp.test/application/o/tessera/';

describe('Back-Channel Logout 1.0 §2.6 › logout token validation', () => {
  let key: CryptoKey;
  let other: CryptoKey;
  let jwks: JWK;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    other = (await generateKeyPair('RS256')).privateKey;
    jwks = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
  });

  const checks = () => ({
    keys: createLocalJWKSet({ keys: [jwks] }),
    issuer: ISS,
    audience: 'tessera',
    algorithms: ['RS256'],
    leewaySeconds: 30,
    maxAgeSeconds: 120,
  });
  const claims = (over: Record<string, unknown> = {}) => ({
    iss: ISS,
    aud: 'tessera',
    iat: now(),
    exp: now() + 120,
    jti: 'j-1',
    sid: 's-1',
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...over,
  });
  const sign = (c: Record<string, unknown>, header: Record<string, unknown> = {}, k = key) =>
    new SignJWT(c).setProtectedHeader({ alg: 'RS256', kid: 'k1', ...header }).sign(k);

  it('accepts a well-formed token and returns sid, sub and jti', async () => {
    const t = await sign(claims({ sub: 'u-1' }), { typ: 'logout+jwt' });
    await expect(verifyLogoutToken(t, checks())).resolves.toMatchObject({
      issuer: ISS,
      jti: 'j-1',
      sid: 's-1',
      subject: 'u-1',
    });
  });

  it.each([
    ['a nonce', claims({ nonce: 'n' }), {}],
    ['no events', claims({ events: undefined }), {}],
    ['another event', claims({ events: { 'urn:x': {} } }), {}],
    ['an event that is not an object', claims({ events: { [BACKCHANNEL_LOGOUT_EVENT]: 'x' } }), {}],
    ['neither sid nor sub', claims({ sid: undefined }), {}],
    ['a wrong aud', claims({ aud: 'someone-else' }), {}],
    ['a wrong iss', claims({ iss: 'https://evil.test/' }), {}],
    ['no jti', claims({ jti: undefined }), {}],
    // §2.4 (final, errata set 1): exp is REQUIRED.
    ['no exp', claims({ exp: undefined }), {}],
    ['an exp that is not a number', claims({ exp: 'soon' }), {}],
    ['an exp in the past', claims({ exp: now() - 3600 }), {}],
    ['an iat too old', claims({ iat: now() - 3600 }), {}],
    ['an iat in the future', claims({ iat: now() + 3600 }), {}],
    ['typ at+jwt', claims(), { typ: 'at+jwt' }],
  ])('refuses %s with invalid_request', async (_n, c, header) => {
    await expect(verifyLogoutToken(await sign(c, header), checks())).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('refuses alg none, another key, HS256 and junk', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const hs = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    for (const t of [
      `${b64({ alg: 'none' })}.${b64(claims())}.`,
      await sign(claims(), {}, other),
      hs,
      'a.b.c',
      'x'.repeat(20_000),
    ]) {
      await expect(verifyLogoutToken(t, checks())).rejects.toMatchObject({
        code: 'invalid_request',
      });
    }
  });
});
