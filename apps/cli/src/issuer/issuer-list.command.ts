import { SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { emit } from '../output';
import { trustedIssuerView } from '@tessera/application/manage-trusted-issuers/views';
import { withTrustedIssuers } from './issuer-services';

@SubCommand({ name: 'list', description: 'list the issuers a tenant trusts' })
export class IssuerListCommand extends TenantScopedCommand {
  async run(_: string[], f: TenantFlags): Promise<void> {
    const rows = await withTrustedIssuers(f.tenant, (issuers, tenantId) => issuers.list(tenantId));
    const list = rows.map(trustedIssuerView);
    emit(
      Boolean(f.json),
      { issuers: list },
      list.map((t) => `${t.id}  ${t.status}  ${t.issuer}`).join('\n') || '(no trusted issuers)',
    );
  }
}
