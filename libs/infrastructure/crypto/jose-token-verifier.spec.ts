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

describe('JoseTokenVerifier › a token seen before', () => {
  let key: KeyMaterial;
  let other: KeyMaterial;
  let ring: KeyRing;
  let verifier: JoseTokenVerifier;
  const seen: string[] = [];
  const opts = { issuer: ISS, audience: AUD, leewaySeconds: 30 };
  const sign = (k: KeyMaterial, payload: object) =>
    signCompact({ alg: k.alg, kid: k.kid, typ: 'at+jwt' }, payload, k.privateKey!);

  beforeAll(async () => {
    key = (await generateSigningKey('ES256')).material;
    other = (await generateSigningKey('ES256')).material;
  });
  beforeEach(() => {
    ring = new KeyRing([
      { material: key, primary: true },
      { material: other, primary: false },
    ]);
    verifier = new JoseTokenVerifier(ring, opts, (kid) => seen.push(kid));
    seen.length = 0;
  });
  afterEach(() => jest.useRealTimers());

  it('answers a repeat with the same frozen claims and counts its kid each time', async () => {
    const token = await sign(key, claims());
    const first = await verifier.verify(token);
    const again = await verifier.verify(token);
    expect(again).toBe(first);
    expect(Object.isFrozen(again)).toBe(true);
    expect(seen).toEqual([key.kid, key.kid]);
  });

  it('refuses a repeat once it has expired, with the expiry error', async () => {
    const token = await sign(key, claims({ exp: now() + 5 }));
    await verifier.verify(token);
    jest.useFakeTimers({ now: Date.now() + 36_000, doNotFake: ['nextTick', 'setImmediate'] });
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: 'invalid_token',
      description: 'the access token has expired',
    });
  });

  it('refuses a repeat once its key has left the ring', async () => {
    const token = await sign(other, claims());
    await verifier.verify(token);
    ring.replace([{ material: key, primary: true }]);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('remembers nothing that failed: a refused token stays refused', async () => {
    const token = await sign(key, claims({ iss: 'https://elsewhere.test' }));
    for (let i = 0; i < 2; i++) {
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'invalid_token' });
    }
  });

  it('a token with one character changed is checked afresh and refused', async () => {
    const token = await sign(key, claims());
    await verifier.verify(token);
    const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    await expect(verifier.verify(flipped)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('with memory off, every call verifies', async () => {
    const plain = new JoseTokenVerifier(ring, opts, undefined, null);
    const token = await sign(key, claims());
    const a = await plain.verify(token);
    expect(await plain.verify(token)).not.toBe(a);
  });
});
