import { DomainError } from '@tessera/domain/shared/domain-error';
import { isId } from '@tessera/domain/shared/ids';
import {
  validateExchangeMapping,
  type ExchangeMapping,
  type ExchangeMappingSpec,
} from '@tessera/domain/federation/exchange-mapping';
import type { AuditLog } from '../ports/audit-log.port';
import type { ExchangeMappingRepository } from '../exchange-token/exchange-mapping-repository.port';

const noIssuer = () => new DomainError('not_found', 'no such trusted issuer in this tenant');

/** A trusted issuer's exchange rules (docs/token-exchange.md), for the CLI and the API alike. */
export class ManageExchangeMappings {
  constructor(
    private readonly mappings: ExchangeMappingRepository,
    private readonly audit: AuditLog,
    /** EXCHANGE_CLAIM_NAMES: the extra claims a rule may set. */
    private readonly allowedClaims: readonly string[],
  ) {}

  async add(
    tenantId: string,
    trustedIssuerId: string,
    spec: ExchangeMappingSpec,
    actor: string,
  ): Promise<ExchangeMapping> {
    if (!isId('trustedIssuer', trustedIssuerId)) throw noIssuer();
    const valid = validateExchangeMapping(spec, this.allowedClaims);
    const row = await this.mappings.create({ tenantId, trustedIssuerId, ...valid });
    await this.audit.record({
      tenantId,
      actor,
      action: 'exchange_mapping.add',
      target: row.id,
      details: { trusted_issuer: trustedIssuerId, scopes: row.scopes.join(' ') },
    });
    return row;
  }

  async list(tenantId: string, trustedIssuerId: string): Promise<ExchangeMapping[]> {
    if (!isId('trustedIssuer', trustedIssuerId)) throw noIssuer();
    const rows = await this.mappings.forIssuer(tenantId, trustedIssuerId);
    return rows.sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1));
  }

  async remove(tenantId: string, trustedIssuerId: string, id: string, actor: string) {
    if (
      !isId('exchangeMapping', id) ||
      !(await this.mappings.remove(tenantId, trustedIssuerId, id))
    ) {
      throw new DomainError('not_found', 'no such exchange mapping on this trusted issuer');
    }
    await this.audit.record({ tenantId, actor, action: 'exchange_mapping.remove', target: id });
  }
}
