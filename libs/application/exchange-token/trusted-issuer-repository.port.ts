import type { TrustedIssuer, ValidTrustedIssuer } from '@tessera/domain/federation/trusted-issuer';

export interface NewTrustedIssuer extends ValidTrustedIssuer {
  tenantId: string;
}

/** A tenant's trusted external issuers; every call is scoped to one tenant (RLS). */
export interface TrustedIssuerRepository {
  /** The active row of this tenant whose issuer is exactly `issuer`. */
  findActive(tenantId: string, issuer: string): Promise<TrustedIssuer | undefined>;
  /** Throws DomainError('conflict') when the tenant already trusts this issuer. */
  create(row: NewTrustedIssuer): Promise<TrustedIssuer>;
  list(tenantId: string): Promise<TrustedIssuer[]>;
  remove(tenantId: string, id: string): Promise<boolean>;
}
