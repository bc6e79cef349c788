import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Compact JWS (RFC 7515). crypto.sign with a callback runs on the libuv thread pool, so
 * RSA-4096 signing uses every core and never stalls the event loop.
 */
export function signCompact(
  header: { alg: SigningAlg; kid: string; typ: string },
  payload: object,
  key: KeyObject,
): Promise<string> {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const data = Buffer.from(input);
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, sig: Buffer) =>
      err ? reject(err) : resolve(`${input}.${sig.toString('base64url')}`);
    switch (header.alg) {
      case 'RS256':
        return cryptoSign('sha256', data, key, done);
      case 'ES256':
        // JWS wants the raw r||s form (RFC 7518 §3.4), not DER.
        return cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, done);
      case 'EdDSA':
        return cryptoSign(null, data, key, done);
    }
  });
}
