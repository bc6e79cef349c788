import { createHmac } from 'node:crypto';
import { generateSigningKey } from './key-generator';
import { KeyRing } from './key-ring';
import { JoseTokenVerifier } from './jose-token-verifier';
import { signCompact } from './jws';
import type { KeyMaterial } from './key-material';

const ISS = 'https://tessera.test';
const AUD = 'tessera-api';
const b64 = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = (over: Record<string, unknown> = {}) => ({
  iss: ISS,
  aud: AUD,
  sub: 'cli_x',
  client_id: 'cli_x',
  org: 'org_x',
  jti: 'tok_x',
  iat: now(),
  exp: now() + 300,
  ...over,
});

describe('JoseTokenVerifier › hostile access tokens (RFC 8725)', () => {
  let primary: KeyMaterial;
  let secondary: KeyMaterial;
  let verifier: JoseTokenVerifier;
  const seen: string[] = [];

  const signWith = (key: KeyMaterial, payload: object, header: Record<string, unknown> = {}) =>
    signCompact(
      { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header } as never,
      payload,
      key.privateKey!,
    );

  beforeAll(async () => {
    primary = (await generateSigningKey('RS256', 2048)).material;
    secondary = (await generateSigningKey('ES256')).material;
    const ring = new KeyRing([
      { material: primary, primary: true },
      { material: secondary, primary: false },
    ]);
    verifier = new JoseTokenVerifier(
      ring,
      { issuer: ISS, audience: AUD, leewaySeconds: 30 },
      (kid) => seen.push(kid),
    );
  });

  it('accepts a token from the primary and from a non-primary loaded key (overlap rotation)', async () => {
    await expect(verifier.verify(await signWith(primary, claims()))).resolves.toMatchObject({
      sub: 'cli_x',
    });
    await expect(verifier.verify(await signWith(secondary, claims()))).resolves.toMatchObject({
      sub: 'cli_x',
    });
    expect(seen).toEqual(expect.arrayContaining([primary.kid, secondary.kid]));
  });

  const rejects = (name: string, make: () => Promise<string> | string) =>
    it(`rejects ${name}`, async () => {
      await expect(verifier.verify(await make())).rejects.toMatchObject({ code: 'invalid_token' });
    });

  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    rejects(
      `alg: ${alg}`,
      () => `${b64({ alg, kid: primary.kid, typ: 'at+jwt' })}.${b64(claims())}.`,
    );
    rejects(
      `alg: ${alg} with a signature segment`,
      () => `${b64({ alg, kid: primary.kid, typ: 'at+jwt' })}.${b64(claims())}.AAAA`,
    );
  }
  rejects('HS256 keyed with our RSA public key', () => {
    const input = `${b64({ alg: 'HS256', kid: primary.kid, typ: 'at+jwt' })}.${b64(claims())}`;
    const pem = primary.publicKey.export({ type: 'spki', format: 'pem' });
    return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
  });
  rejects('a stripped signature', async () =>
    (await signWith(primary, claims())).replace(/\.[^.]+$/, '.'),
  );
  rejects('altered claims under the old signature', async () => {
    const [h, , s] = (await signWith(primary, claims())).split('.');
    return `${h}.${b64(claims({ sub: 'admin' }))}.${s}`;
  });
  rejects('an alg that is not the key’s own (ES256 header on the RSA kid)', async () => {
    const t = await signWith(secondary, claims());
    const [, p, s] = t.split('.');
    return `${b64({ alg: 'ES256', kid: primary.kid, typ: 'at+jwt' })}.${p}.${s}`;
  });
  for (const member of ['jwk', 'jku', 'x5u', 'x5c']) {
    rejects(`a key carried in the header (${member})`, () =>
      signWith(primary, claims(), {
        [member]: member === 'jwk' ? primary.jwk : 'https://evil.example/k',
      }),
    );
  }
  rejects('a missing kid', () => signWith(primary, claims(), { kid: undefined }));
  rejects('an unknown kid', () => signWith(primary, claims(), { kid: 'not-ours' }));
  rejects('a path-traversal kid', () => signWith(primary, claims(), { kid: '../../dev/null' }));
  rejects('a SQL kid', () => signWith(primary, claims(), { kid: "x' OR '1'='1" }));
  rejects('a 10 KB kid', () => signWith(primary, claims(), { kid: 'k'.repeat(10_240) }));
  rejects('a missing exp', () => signWith(primary, claims({ exp: undefined })));
  rejects('a past exp', () => signWith(primary, claims({ exp: now() - 120 })));
  rejects('an nbf beyond the leeway', () => signWith(primary, claims({ nbf: now() + 600 })));
  rejects('a wrong iss', () => signWith(primary, claims({ iss: 'https://evil.example' })));
  rejects('a wrong aud', () => signWith(primary, claims({ aud: 'other-api' })));
  rejects('typ JWT (an ID token)', () => signWith(primary, claims(), { typ: 'JWT' }));
  rejects('no typ', () => signWith(primary, claims(), { typ: undefined }));
  rejects('crit header', () => signWith(primary, claims(), { crit: ['exp'] }));
  rejects('two segments', () => 'a.b');
  rejects('four segments', () => 'a.b.c.d');
  rejects('bad base64url', () => '!!!.???.***');
  rejects('a header that is not JSON', () => `${b64('not json')}.${b64(claims())}.sig`);
  rejects(
    'a 100 KB header',
    () =>
      `${b64({ alg: 'RS256', kid: primary.kid, pad: 'x'.repeat(100_000) })}.${b64(claims())}.sig`,
  );
  rejects('an empty string', () => '');

  it('refuses oversized input before parsing it', async () => {
    const huge = `${b64({ alg: 'RS256', kid: primary.kid })}.${'A'.repeat(200_000)}.x`;
    await expect(verifier.verify(huge)).rejects.toMatchObject({
      description: 'the access token is malformed',
    });
  });
});
