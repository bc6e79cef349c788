import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { KeyConfigError } from '@tessera/domain/keys/keys.errors';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { MIN_RSA_BITS, loadPrivatePem, type KeyMaterial } from './key-material';

const generate = promisify(generateKeyPair);

export interface GeneratedKey {
  material: KeyMaterial;
  privatePem: string;
  publicPem: string;
}

export const DEFAULT_RSA_BITS = 4096;

/** Generates off the event loop (libuv pool): RSA-4096 generation takes hundreds of ms. */
export async function generateSigningKey(
  alg: SigningAlg,
  bits = DEFAULT_RSA_BITS,
): Promise<GeneratedKey> {
  let pair: { publicKey: KeyObject; privateKey: KeyObject };
  switch (alg) {
    case 'RS256':
      if (!Number.isInteger(bits) || bits < MIN_RSA_BITS || bits > 16384) {
        throw new KeyConfigError(`RSA key size must be between ${MIN_RSA_BITS} and 16384 bits`);
      }
      pair = await generate('rsa', { modulusLength: bits, publicExponent: 0x10001 });
      break;
    case 'ES256':
      pair = await generate('ec', { namedCurve: 'prime256v1' });
      break;
    case 'EdDSA':
      pair = await generate('ed25519', undefined);
      break;
    default:
      throw new KeyConfigError(`unsupported algorithm ${String(alg)}`);
  }
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const material = await loadPrivatePem(privatePem);
  return { material, privatePem, publicPem };
}
