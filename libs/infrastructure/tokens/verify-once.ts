import type { AccessClaims } from '@tessera/domain/token/access-claims';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';

const verified = new WeakMap<object, { token: string; claims: Promise<AccessClaims> }>();

/**
 * The rate limiter and the endpoint's guard both need the request's bearer token verified;
 * the second asks this map instead of checking the signature and denylist again. Keyed by the
 * request object, so nothing outlives the request.
 */
export function verifyOncePerRequest(
  req: object,
  token: string,
  verifier: TokenVerifier,
): Promise<AccessClaims> {
  const hit = verified.get(req);
  if (hit?.token === token) return hit.claims;
  const claims = verifier.verify(token);
  verified.set(req, { token, claims });
  return claims;
}
