import type { PublicJwk, SigningAlg } from '../token/token-signer.port';

/**
 * staged: published, not signing yet (so verifiers cache it before it signs);
 * active: the one primary that signs; retiring: published for verification until its last
 * token expires; retired: gone from the JWKS.
 */
export type KeyStatus = 'staged' | 'active' | 'retiring' | 'retired';

export interface SigningKeyInfo {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  publicJwk: PublicJwk;
  createdAt: Date;
  /** When it began (or begins) to sign; known for keys from the database key store. */
  activatedAt?: Date;
}

export const isPublished = (k: Pick<SigningKeyInfo, 'status'>) => k.status !== 'retired';
