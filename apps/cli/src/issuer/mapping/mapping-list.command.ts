import { SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../../options';
import { emit } from '../../output';
import { mappingView } from '@tessera/application/manage-trusted-issuers/views';
import { withExchangeMappings } from '../issuer-services';

@SubCommand({
  name: 'list',
  arguments: '<issuer_id>',
  description: 'a trusted issuer’s exchange rules, in the order they are tried',
})
export class MappingListCommand extends TenantScopedCommand {
  async run([issuerId]: string[], f: TenantFlags): Promise<void> {
    const rows = await withExchangeMappings(f.tenant, (m, tenantId) => m.list(tenantId, issuerId!));
    emit(
      Boolean(f.json),
      { mappings: rows.map(mappingView) },
      rows
        .map((r) => `${r.id} ${r.priority} ${JSON.stringify(r.match)} → ${r.scopes.join(' ')}`)
        .join('\n') || '(no mappings: the issuer row alone decides)',
    );
  }
}
