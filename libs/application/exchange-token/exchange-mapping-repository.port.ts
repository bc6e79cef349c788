import type {
  ExchangeMapping,
  ValidExchangeMapping,
} from '@tessera/domain/federation/exchange-mapping';

export interface NewExchangeMapping extends ValidExchangeMapping {
  tenantId: string;
  trustedIssuerId: string;
}

/** A trusted issuer's exchange rules; every call is scoped to one tenant (RLS). */
export interface ExchangeMappingRepository {
  /** The issuer's rules (any order; the use case orders them). */
  forIssuer(tenantId: string, trustedIssuerId: string): Promise<ExchangeMapping[]>;
  /** Throws DomainError('not_found') when the tenant has no such trusted issuer. */
  create(row: NewExchangeMapping): Promise<ExchangeMapping>;
  remove(tenantId: string, trustedIssuerId: string, id: string): Promise<boolean>;
}
