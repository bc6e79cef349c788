import { randomBytes } from 'node:crypto';
import { KeyEncryption } from './key-encryption';

const SECRET = 'a'.repeat(16) + randomBytes(16).toString('hex');

/** The message `fn` throws; fails the test when it does not throw. */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

describe('KeyEncryption › private signing keys at rest (AES-256-GCM, HKDF-SHA256)', () => {
  const enc = new KeyEncryption(SECRET);
  const plain = randomBytes(64);

  it('round-trips, and never stores the plaintext or the same ciphertext twice', () => {
    const a = enc.seal('kid-a', 'ES256', plain);
    const b = enc.seal('kid-a', 'ES256', plain);
    expect(enc.open('kid-a', 'ES256', a)).toEqual(plain);
    expect(a.equals(b)).toBe(false);
    expect(a.includes(plain)).toBe(false);
  });

  it('a different KEY_ENCRYPTION_SECRET cannot open it', () => {
    const sealed = enc.seal('kid-a', 'ES256', plain);
    expect(() => new KeyEncryption(`${SECRET}x`).open('kid-a', 'ES256', sealed)).toThrow(
      /kid-a cannot be decrypted/,
    );
  });

  it('a ciphertext moved to another kid (or alg) does not open: rows cannot be swapped', () => {
    const sealed = enc.seal('kid-a', 'ES256', plain);
    expect(() => enc.open('kid-b', 'ES256', sealed)).toThrow(/kid-b cannot be decrypted/);
    expect(() => enc.open('kid-a', 'RS256', sealed)).toThrow(/cannot be decrypted/);
  });

  it('a flipped bit or a truncated blob is refused without echoing any bytes', () => {
    const sealed = enc.seal('kid-a', 'ES256', plain);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => enc.open('kid-a', 'ES256', flipped)).toThrow(/cannot be decrypted/);
    expect(() => enc.open('kid-a', 'ES256', sealed.subarray(0, 20))).toThrow(/known format/);
    for (const blob of [flipped, sealed.subarray(0, 20)]) {
      const message = thrown(() => enc.open('kid-a', 'ES256', blob));
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain(blob.toString('hex').slice(0, 16));
      expect(message).not.toContain(blob.toString('base64').slice(0, 16));
    }
  });

  it('refuses a secret shorter than 32 characters', () => {
    expect(() => new KeyEncryption('short')).toThrow(/at least 32/);
  });
});
