import { SubCommand } from 'nest-commander';
import { TenantScopedCommand } from '../options';
import { emit } from '../output';
import { issuerJson, withTrustedIssuers } from './issuer-services';

@SubCommand({ name: 'list', description: 'list the issuers a tenant trusts' })
export class IssuerListCommand extends TenantScopedCommand {
  async run(_: string[], f: { tenant?: string; json?: boolean }): Promise<void> {
    const rows = await withTrustedIssuers(f.tenant, (issuers, tenantId) => issuers.list(tenantId));
    const list = rows.map(issuerJson);
    emit(
      Boolean(f.json),
      { issuers: list },
      list.map((t) => `${t.id}  ${t.status}  ${t.issuer}`).join('\n') || '(no trusted issuers)',
    );
  }
}
