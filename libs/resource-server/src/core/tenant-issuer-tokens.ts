import { decodeJwt, decodeProtectedHeader } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AttestedTenantKeys, TenantKeySet } from './attested-keys';
import type { Principal } from './principal';
import { TokenRuleViolation, type AccessTokenRules } from './verification-rules';
import { VerifiedTokens } from './verified-tokens';

/** What the resource server asks of its verified-token cache. */
export type TokenVerification = Pick<VerifiedTokens, 'recall' | 'verify'>;

/**
 * With a trust anchor: the platform's own tokens as before; a tenant issuer's through that
 * tenant's attested keys (docs/tenant-issuers.md), and only when the attestation names the
 * token's tenant (`org`). A tenant token is remembered only once every check has passed.
 */
export class TenantIssuerTokens implements TokenVerification {
  private readonly perIssuer = new LRUCache<string, { keys: TenantKeySet; tokens: VerifiedTokens }>(
    { max: 1000 },
  );
  private readonly byToken?: LRUCache<string, VerifiedTokens>;

  constructor(
    private readonly platform: VerifiedTokens,
    private readonly tenants: AttestedTenantKeys,
    private readonly rules: AccessTokenRules,
    private readonly size: number,
  ) {
    if (size > 0) this.byToken = new LRUCache({ max: size });
  }

  recall(token: string): Principal | undefined {
    return this.platform.recall(token) ?? this.byToken?.get(token)?.recall(token);
  }

  async verify(token: string): Promise<Principal> {
    let iss: unknown;
    let kid: unknown;
    try {
      iss = decodeJwt(token).iss;
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return this.platform.verify(token); // its own rules say malformed
    }
    if (iss === this.rules.issuer) return this.platform.verify(token);
    if (!this.tenants.slugOf(iss) || typeof kid !== 'string') {
      throw new TokenRuleViolation('invalid');
    }
    let set = this.perIssuer.get(iss as string);
    if (!set) {
      const keys = this.tenants.forIssuer(iss as string);
      const tokens = new VerifiedTokens(
        keys,
        { ...this.rules, issuer: iss as string },
        Math.ceil(this.size / 10),
      );
      set = { keys, tokens };
      this.perIssuer.set(iss as string, set);
    }
    const principal = await set.tokens.verify(token);
    if (set.keys.attested(kid)?.org !== principal.claims.org) {
      throw new TokenRuleViolation('invalid');
    }
    this.byToken?.set(token, set.tokens);
    return principal;
  }
}
