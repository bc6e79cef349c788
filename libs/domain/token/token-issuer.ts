import { epochSeconds, type Clock } from '../shared/clock.port';
import { newId } from '../shared/ids';
import { ACCESS_TOKEN_TYP, formatScope, type AccessClaims } from './access-claims';
import type { SigningAlg, TokenSigner } from './token-signer.port';
import { audienceOf } from '../resource/resource-server';

export interface AccessGrant {
  tenantId: string;
  subject: string;
  clientId: string;
  scopes: readonly string[];
  role?: string;
  act?: AccessClaims['act'];
  /** RFC 8707 resource identifiers; the configured default audience when absent or empty. */
  audience?: readonly string[];
  /** Seconds; the configured access-token lifetime when absent. */
  ttl?: number;
  /**
   * Claims beyond RFC 9068 (token exchange mappings). Validated against a reserved list when
   * the mapping is written; spread first, so no standard claim can be overridden anyway.
   */
  extraClaims?: Readonly<Record<string, string | number | boolean | string[]>>;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  claims: AccessClaims;
  expiresAt: Date;
  alg: SigningAlg;
}

export interface IssuerSettings {
  issuer: string;
  audience: string;
  accessTtl: number;
}

/**
 * Per-tenant issuers (ISSUER_MODE=tenant): the tenant's own `iss` and signer. The tenant comes
 * from the grant (the authenticated client's tenant), never from the request, so a client of
 * tenant A can never obtain a token under B's issuer.
 */
export interface TenantSigners {
  forTenant(tenantId: string): Promise<{ issuer: string; signer: TokenSigner }>;
}

/** Builds RFC 9068 claims and has the primary key (or the tenant's own) sign them. */
export class TokenIssuer {
  constructor(
    private readonly signer: TokenSigner,
    private readonly clock: Clock,
    private readonly settings: IssuerSettings,
    private readonly tenants?: TenantSigners,
  ) {}

  async issueAccess(grant: AccessGrant): Promise<IssuedAccessToken> {
    const own = this.tenants ? await this.tenants.forTenant(grant.tenantId) : undefined;
    const iat = epochSeconds(this.clock.now());
    const exp = iat + (grant.ttl ?? this.settings.accessTtl);
    const claims: AccessClaims = {
      ...grant.extraClaims,
      iss: own?.issuer ?? this.settings.issuer,
      sub: grant.subject,
      aud: grant.audience?.length ? audienceOf(grant.audience) : this.settings.audience,
      exp,
      iat,
      jti: newId('token'),
      client_id: grant.clientId,
      org: grant.tenantId,
      ...(grant.scopes.length ? { scope: formatScope(grant.scopes) } : {}),
      ...(grant.role ? { role: grant.role } : {}),
      ...(grant.act ? { act: grant.act } : {}),
    };
    const signed = await (own?.signer ?? this.signer).sign(claims, ACCESS_TOKEN_TYP);
    return {
      token: signed.token,
      jti: claims.jti,
      claims,
      expiresAt: new Date(exp * 1000),
      alg: signed.alg,
    };
  }
}
