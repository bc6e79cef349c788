import { DomainError } from '@tessera/domain/shared/domain-error';
import { isId } from '@tessera/domain/shared/ids';
import {
  validateTrustedIssuer,
  type TrustedIssuer,
  type TrustedIssuerSpec,
} from '@tessera/domain/federation/trusted-issuer';
import type { AuditLog } from '../ports/audit-log.port';
import type { TrustedIssuerRepository } from '../exchange-token/trusted-issuer-repository.port';

/** Operators add, list and remove the external issuers a tenant trusts for token exchange. */
export class ManageTrustedIssuers {
  constructor(
    private readonly issuers: TrustedIssuerRepository,
    private readonly audit: AuditLog,
    private readonly opts: { production: boolean; ownIssuer: string },
  ) {}

  async add(tenantId: string, spec: TrustedIssuerSpec, actor: string): Promise<TrustedIssuer> {
    const valid = validateTrustedIssuer(spec, this.opts);
    // Trusting our own tokens would let one tenant's access tokens (even revoked ones) be
    // exchanged into another tenant: token exchange is for external workload identities only.
    if (valid.issuer.replace(/\/+$/, '') === this.opts.ownIssuer.replace(/\/+$/, '')) {
      throw new DomainError(
        'invalid_request',
        'Tessera cannot trust its own issuer for token exchange',
      );
    }
    const row = await this.issuers.create({ tenantId, ...valid });
    await this.audit.record({
      tenantId,
      actor,
      action: 'trusted_issuer.add',
      target: row.id,
      details: { issuer: row.issuer.slice(0, 200) },
    });
    return row;
  }

  list(tenantId: string): Promise<TrustedIssuer[]> {
    return this.issuers.list(tenantId);
  }

  async remove(tenantId: string, id: string, actor: string): Promise<void> {
    if (!isId('trustedIssuer', id) || !(await this.issuers.remove(tenantId, id))) {
      throw new DomainError('not_found', 'no such trusted issuer in this tenant');
    }
    await this.audit.record({ tenantId, actor, action: 'trusted_issuer.remove', target: id });
  }
}
