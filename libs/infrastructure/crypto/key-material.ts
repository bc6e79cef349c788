import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { KeyConfigError } from '@tessera/domain/keys/keys.errors';
import type { PublicJwk, SigningAlg } from '@tessera/domain/token/token-signer.port';

export const MIN_RSA_BITS = 2048;

/** A signing key parsed once: the private KeyObject never leaves this process. */
export interface KeyMaterial {
  kid: string;
  alg: SigningAlg;
  privateKey?: KeyObject;
  publicKey: KeyObject;
  jwk: PublicJwk;
}

/** The algorithm is a property of the key, never of a token that names it. */
export function algorithmOf(key: KeyObject): SigningAlg {
  const d = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if ((d?.modulusLength ?? 0) < MIN_RSA_BITS) {
        throw new KeyConfigError(`RSA keys must have at least ${MIN_RSA_BITS} bits`);
      }
      return 'RS256';
    case 'ec':
      if (d?.namedCurve !== 'prime256v1')
        throw new KeyConfigError('EC keys must use P-256 (ES256)');
      return 'ES256';
    case 'ed25519':
      return 'EdDSA';
    default:
      throw new KeyConfigError(`unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
  }
}

export async function publicJwkOf(
  publicKey: KeyObject,
  alg: SigningAlg,
  kid?: string,
): Promise<PublicJwk> {
  const raw = publicKey.export({ format: 'jwk' }) as JWK;
  const members =
    raw.kty === 'RSA'
      ? { kty: 'RSA' as const, n: raw.n, e: raw.e }
      : raw.kty === 'EC'
        ? { kty: 'EC' as const, crv: raw.crv, x: raw.x, y: raw.y }
        : { kty: 'OKP' as const, crv: raw.crv, x: raw.x };
  // RFC 7638: the thumbprint of the required public members names the key unless configured.
  const thumbprint = await calculateJwkThumbprint(members as JWK, 'sha256');
  return { ...members, kid: kid ?? thumbprint, alg, use: 'sig' };
}

/** Reads PKCS#8 or PKCS#1 (RSA) or SEC1 (EC) private PEM; error messages never echo key bytes. */
export async function loadPrivatePem(
  pem: string | Buffer,
  kid?: string,
  source = 'key',
): Promise<KeyMaterial> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new KeyConfigError(`${source}: not a readable PEM private key (PKCS#8 or PKCS#1)`);
  }
  const alg = algorithmOf(privateKey);
  const publicKey = createPublicKey(privateKey);
  const jwk = await publicJwkOf(publicKey, alg, kid);
  return { kid: jwk.kid, alg, privateKey, publicKey, jwk };
}
