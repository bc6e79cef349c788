import { LRUCache } from 'lru-cache';
import {
  TokenRuleViolation,
  verifyWithRules,
  type AccessTokenRules,
  type KeyForKid,
} from './verification-rules';
import type { Principal, TesseraClaims } from './principal';

interface Remembered {
  principal: Principal;
  kid: string;
}

/**
 * A signature check per request would cost more than most handlers: a token string that passed
 * the rules is remembered (bounded LRU) with its principal, scope set included, so a repeat costs
 * a lookup and no allocation; on a hit only its exp and its key's presence in the current JWKS
 * are checked again. Revocation and scopes are checked on every request regardless.
 */
export class VerifiedTokens {
  private readonly cache?: LRUCache<string, Remembered>;

  constructor(
    private readonly keys: KeyForKid & { publishes(kid: string): boolean },
    private readonly rules: AccessTokenRules,
    size: number,
  ) {
    if (size > 0) this.cache = new LRUCache({ max: size });
  }

  /** A remembered verification still good; undefined when the token must be verified. */
  recall(token: string): Principal | undefined {
    const hit = this.cache?.get(token);
    if (!hit) return undefined;
    if (hit.principal.claims.exp + this.rules.leewaySeconds <= Date.now() / 1000) {
      this.cache!.delete(token);
      throw new TokenRuleViolation('expired');
    }
    if (this.keys.publishes(hit.kid)) return hit.principal;
    this.cache!.delete(token);
    return undefined;
  }

  async verify(token: string): Promise<Principal> {
    let kid = '';
    const claims = (await verifyWithRules(
      token,
      this.keys,
      this.rules,
      (h) => (kid = String(h.kid)),
    )) as unknown as TesseraClaims;
    const principal = {
      claims,
      scopes: new Set((claims.scope ?? '').split(' ').filter(Boolean)),
    };
    this.cache?.set(token, { principal, kid });
    return principal;
  }
}
