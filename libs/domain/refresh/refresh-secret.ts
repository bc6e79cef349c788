import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/** 256 bits from the CSPRNG: guessing is hopeless, so a fast hash is the right one to store. */
export function newRefreshSecret(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshSecret(token) };
}

export const hashRefreshSecret = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

/** Shape check before any store lookup: 43 base64url characters. */
export const looksLikeRefreshSecret = (v: unknown): v is string =>
  typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v);

const sealKey = (oldToken: string) =>
  Buffer.from(hkdfSync('sha256', oldToken, Buffer.alloc(0), 'tessera refresh successor', 32));

/**
 * The successor pair handed to parallel retries within the grace window is kept sealed with a
 * key derived from the old token itself: the store alone cannot open it, only its presenter.
 */
export function sealSuccessor(oldToken: string, successor: object): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(oldToken), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(successor), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function openSuccessor<T>(oldToken: string, sealed: string): T | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', sealKey(oldToken), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
