export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';
export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];

/** A public JWK as published at the JWKS endpoint: never any private member. */
export interface PublicJwk {
  kty: 'RSA' | 'EC' | 'OKP';
  kid: string;
  alg: SigningAlg;
  use: 'sig';
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

export interface SignedJwt {
  token: string;
  kid: string;
  alg: SigningAlg;
}

/**
 * Signs with the current primary key. Asynchronous on purpose: an RSA-4096 signature costs
 * milliseconds and must not run on the event loop.
 */
export interface TokenSigner {
  readonly kid: string;
  readonly alg: SigningAlg;
  sign(payload: object, typ: string): Promise<SignedJwt>;
  publicJwk(): PublicJwk;
}
