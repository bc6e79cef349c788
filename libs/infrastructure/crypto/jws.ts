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
 * Compact JWS (RFC 7515). RSA signs on the libuv thread pool (crypto.sign with a callback), so
 * RSA-4096 uses every core and never stalls the event loop. ES256 and EdDSA sign on the calling
 * thread: a signature costs less CPU than the hop to a pool thread and back, and on a busy
 * 2-core machine each hop lets the woken pool thread take the core from the event loop
 * (docs/performance.md).
 */
export function signCompact(header: Header, payload: object, key: KeyObject): Promise<string> {
  const input = `${encodedHeader(header)}.${encode(payload)}`;
  const data = Buffer.from(input, 'latin1'); // base64url and '.': one byte per character
  const token = (sig: Buffer) => `${input}.${sig.toString('base64url')}`;
  switch (header.alg) {
    case 'ES256':
      // JWS wants the raw r||s form (RFC 7518 §3.4), not DER.
      return settle(() => token(cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })));
    case 'EdDSA':
      return settle(() => token(cryptoSign(null, data, key)));
    case 'RS256':
      return new Promise((resolve, reject) =>
        cryptoSign('sha256', data, key, (err, sig) => (err ? reject(err) : resolve(token(sig)))),
      );
  }
}

function settle(sign: () => string): Promise<string> {
  try {
    return Promise.resolve(sign());
  } catch (err) {
    return Promise.reject(err as Error);
  }
}
