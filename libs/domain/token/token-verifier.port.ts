import type { AccessClaims } from './access-claims';

/**
 * Verifies a Tessera access token: signature by kid against our own keys only, the key's own
 * algorithm, `typ`, `iss`, `aud`, time claims and the denylist. Throws DomainError('invalid_token').
 */
export interface TokenVerifier {
  verify(token: string): Promise<AccessClaims>;
}
