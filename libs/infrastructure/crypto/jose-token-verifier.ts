import {
  TokenRuleViolation,
  assertKeyAlgorithm,
  verifyWithRules,
} from '@tessera/resource-server/core/verification-rules';
import type { AccessClaims } from '@tessera/domain/token/access-claims';
import { ACCESS_TOKEN_TYP } from '@tessera/domain/token/access-claims';
import { invalidToken } from '@tessera/domain/token/token.errors';
import type { KeyRing } from './key-ring';

export interface VerifyOptions {
  issuer: string;
  /** Absent: any audience (revocation and introspection serve every resource server). */
  audience?: string;
  leewaySeconds: number;
}

/**
 * Tessera access tokens checked with the rules @tessera/resource-server applies too: the key
 * comes only from our ring by kid, the algorithm only from that key (never from the token), typ
 * must be at+jwt (RFC 9068 §4), and iss/aud/exp/nbf are exact with a small leeway.
 */
export class JoseTokenVerifier {
  constructor(
    private readonly ring: KeyRing,
    private readonly opts: VerifyOptions,
    private readonly onKidSeen?: (kid: string) => void,
  ) {}

  async verify(token: string): Promise<AccessClaims> {
    try {
      const payload = await verifyWithRules(
        token,
        (kid, header) => {
          const key = this.ring.verificationKey(kid);
          assertKeyAlgorithm(key?.alg, header);
          return key!.publicKey;
        },
        { ...this.opts, typ: ACCESS_TOKEN_TYP },
        // Counted before any check: operators learn which kids clients still present, ours or not.
        (header) => typeof header.kid === 'string' && this.onKidSeen?.(header.kid),
      );
      return payload as unknown as AccessClaims;
    } catch (e) {
      if (e instanceof TokenRuleViolation && e.failure === 'malformed') {
        throw invalidToken('the access token is malformed');
      }
      if (e instanceof TokenRuleViolation && e.failure === 'expired') {
        throw invalidToken('the access token has expired');
      }
      throw invalidToken();
    }
  }
}
