import { decodeJwt } from 'jose';
import type { AccessClaims } from '@tessera/domain/token/access-claims';
import { invalidToken } from '@tessera/domain/token/token.errors';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import { JoseTokenVerifier, rememberedTokens, type VerifyOptions } from './jose-token-verifier';
import type { KeyRing } from './key-ring';
import type { TenantKeys } from './tenant-keys';

/**
 * ISSUER_MODE=tenant: a token is checked under the issuer it names, and only one of ours: the
 * platform's (tokens from before the switch) or {ISSUER}/t/{slug}, whose keys alone are tried,
 * and whose tenant must be the token's `org`. A token of A carrying B's issuer finds only B's
 * keys (A's kid is not among them); one signed by B's key claiming A's `org` is refused too.
 */
export class TenantTokenVerifier implements TokenVerifier {
  private readonly platform: JoseTokenVerifier;
  /** One memory for every tenant: a token's string names its issuer, so its ring too. */
  private readonly remembered = rememberedTokens();

  constructor(
    platformRing: KeyRing,
    private readonly tenants: TenantKeys,
    private readonly opts: VerifyOptions,
    private readonly onKidSeen?: (kid: string) => void,
  ) {
    this.platform = new JoseTokenVerifier(platformRing, opts, onKidSeen);
  }

  async verify(token: string): Promise<AccessClaims> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      // Malformed input gets the platform verifier's exact error.
      return this.platform.verify(token);
    }
    if (iss === this.opts.issuer) return this.platform.verify(token);
    const prefix = `${this.opts.issuer}/t/`;
    if (typeof iss !== 'string' || !iss.startsWith(prefix)) throw invalidToken();
    const tenant = await this.tenants.forSlug(iss.slice(prefix.length));
    if (!tenant || tenant.issuer !== iss) throw invalidToken();
    // No per-kid metric for tenant keys: 10,000 tenants would be 10,000 series.
    const claims = await new JoseTokenVerifier(
      tenant.ring,
      { ...this.opts, issuer: tenant.issuer },
      undefined,
      this.remembered,
    ).verify(token);
    if (claims.org !== tenant.tenantId) throw invalidToken();
    return claims;
  }
}
