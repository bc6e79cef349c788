import { LRUCache } from 'lru-cache';
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

/** Tokens that passed every rule, by their exact string, with the kid that signed them. */
export type RememberedTokens = LRUCache<string, { claims: AccessClaims; kid: string }>;

/** About 1.5 KB a token (the string is the key): 10,000 cost some 15 MB. */
export const rememberedTokens = (max = 10_000): RememberedTokens => new LRUCache({ max });

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
    /** Shared by a tenant's short-lived verifiers; `null` remembers nothing. */
    private readonly remembered: RememberedTokens | null = rememberedTokens(),
  ) {}

  verify(token: string): Promise<AccessClaims> {
    const memory = this.remembered;
    const hit = memory?.get(token);
    if (!memory || !hit) return this.check(token);
    // A repeat is answered as a first sight would be: exp again, and only while its key is ours.
    this.onKidSeen?.(hit.kid);
    if (!this.ring.verificationKey(hit.kid)) {
      memory.delete(token);
      return this.check(token);
    }
    if (hit.claims.exp + this.opts.leewaySeconds <= Math.floor(Date.now() / 1000)) {
      memory.delete(token);
      return Promise.reject(invalidToken('the access token has expired'));
    }
    return Promise.resolve(hit.claims);
  }

  /**
   * The signature check runs on a pool thread (WebCrypto in jose): the hop and the check cost
   * more than the rest of an introspection, and resource servers ask about the same token again
   * and again. A token that passed every rule is remembered by its exact string, so a repeat
   * costs a lookup; revocation and the tenant's status are checked by the caller every time.
   */
  private async check(token: string): Promise<AccessClaims> {
    let signedBy = '';
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
        (header) => {
          if (typeof header.kid !== 'string') return;
          signedBy = header.kid;
          this.onKidSeen?.(signedBy);
        },
      );
      const claims = Object.freeze(payload) as unknown as AccessClaims;
      this.remembered?.set(token, { claims, kid: signedBy });
      return claims;
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
