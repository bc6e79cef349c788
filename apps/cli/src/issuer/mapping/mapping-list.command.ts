import { SubCommand } from 'nest-commander';
import { TenantScopedCommand } from '../../options';
import { emit } from '../../output';
import { mappingJson, withExchangeMappings } from './mapping-services';

@SubCommand({
  name: 'list',
  arguments: '<issuer_id>',
  description: 'a trusted issuer’s exchange rules, in the order they are tried',
})
export class MappingListCommand extends TenantScopedCommand {
  async run([issuerId]: string[], f: { tenant?: string; json?: boolean }): Promise<void> {
    const rows = await withExchangeMappings(f.tenant, (m, tenantId) => m.list(tenantId, issuerId!));
    emit(
      Boolean(f.json),
      { mappings: rows.map(mappingJson) },
      rows
        .map((r) => `${r.id} ${r.priority} ${JSON.stringify(r.match)} → ${r.scopes.join(' ')}`)
        .join('\n') || '(no mappings: the issuer row alone decides)',
    );
  }
}
