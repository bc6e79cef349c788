import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';

type Header = { alg: SigningAlg; kid: string; typ: string };
const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A ring holds a handful of keys and one or two `typ`s: each header is encoded once. */
const encodedHeaders = new Map<string, string>();
const MAX_HEADERS = 256;

function encodedHeader(h: Header): string {
  // Only the plain header is cached (tests sign others, with extra members, to attack verifiers).
  if (Object.keys(h).length !== 3) return encode(h);
  const id = `${h.alg}\u0000${h.kid}\u0000${h.typ}`;
  let out = encodedHeaders.get(id);
  if (out === undefined) {
    out = Buffer.from(JSON.stringify({ alg: h.alg, kid: h.kid, typ: h.typ })).toString('base64url');
    if (encodedHeaders.size >= MAX_HEADERS) encodedHeaders.clear();
    encodedHeaders.set(id, out);
  }
  return out;
}

/**
 * Compact JWS (RFC 7515). crypto.sign with a callback runs on the libuv thread pool, so
 * RSA-4096 signing uses every core and never stalls the event loop.
 */
export function signCompact(header: Header, payload: object, key: KeyObject): Promise<string> {
  const input = `${encodedHeader(header)}.${encode(payload)}`;
  const data = Buffer.from(input, 'latin1'); // base64url and '.': one byte per character
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
