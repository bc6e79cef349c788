import { SIGNING_ALGS, type SigningAlg } from '@tessera/domain/token/token-signer.port';
import { CliError } from '../output';

/** `--alg` of the key commands. */
export function parseSigningAlg(v: string): SigningAlg {
  if (!SIGNING_ALGS.includes(v as SigningAlg))
    throw new CliError(`--alg must be one of ${SIGNING_ALGS.join(', ')}`);
  return v as SigningAlg;
}

/** `--bits` of the key commands: an RSA modulus from 2048 to 16384 bits. */
export function parseRsaBits(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 2048 || n > 16384)
    throw new CliError('--bits must be an integer from 2048 to 16384');
  return n;
}
