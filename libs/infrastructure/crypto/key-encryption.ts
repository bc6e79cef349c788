import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { KeyConfigError } from '@tessera/domain/keys/keys.errors';

const VERSION = 1;
const SALT = 16;
const IV = 12;
const TAG = 16;
const INFO = 'tessera signing-key encryption v1';
const HEADER = 1 + SALT + IV + TAG;

/**
 * Private signing keys at rest (signing_keys.private_key_enc): AES-256-GCM under a key derived
 * with HKDF-SHA256 from KEY_ENCRYPTION_SECRET and a random per-row salt. The kid and alg are the
 * additional authenticated data, so a ciphertext copied onto another row does not open, and a
 * row written without the secret (a compromised app role) is refused rather than signed with.
 * Layout: version(1) | salt(16) | iv(12) | tag(16) | ciphertext.
 */
export class KeyEncryption {
  constructor(private readonly secret: string) {
    if (typeof secret !== 'string' || secret.length < 32) {
      throw new KeyConfigError('KEY_ENCRYPTION_SECRET must be at least 32 characters');
    }
  }

  seal(kid: string, alg: string, plaintext: Buffer): Buffer {
    const salt = randomBytes(SALT);
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', this.keyFor(salt), iv);
    cipher.setAAD(aad(kid, alg));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), salt, iv, cipher.getAuthTag(), body]);
  }

  /** Throws KeyConfigError naming the kid only: never the bytes, never the secret. */
  open(kid: string, alg: string, sealed: Buffer): Buffer {
    if (!Buffer.isBuffer(sealed) || sealed.length <= HEADER || sealed[0] !== VERSION) {
      throw new KeyConfigError(`signing key ${kid}: stored private key is not in a known format`);
    }
    const salt = sealed.subarray(1, 1 + SALT);
    const iv = sealed.subarray(1 + SALT, 1 + SALT + IV);
    const tag = sealed.subarray(1 + SALT + IV, HEADER);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.keyFor(salt), iv);
      decipher.setAAD(aad(kid, alg));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed.subarray(HEADER)), decipher.final()]);
    } catch {
      throw new KeyConfigError(
        `signing key ${kid} cannot be decrypted: KEY_ENCRYPTION_SECRET is not the one that sealed it, or the row was altered`,
      );
    }
  }

  private keyFor(salt: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', this.secret, salt, INFO, 32));
  }
}

const aad = (kid: string, alg: string) => Buffer.from(`tessera:signing_key:${kid}:${alg}`);
