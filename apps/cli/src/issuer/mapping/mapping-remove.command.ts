import { SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../../options';
import { emit } from '../../output';
import { withExchangeMappings } from '../issuer-services';

@SubCommand({
  name: 'remove',
  arguments: '<issuer_id> <mapping_id>',
  description: 'remove an exchange rule',
})
export class MappingRemoveCommand extends TenantScopedCommand {
  async run([issuerId, id]: string[], f: TenantFlags): Promise<void> {
    await withExchangeMappings(f.tenant, (m, tenantId) =>
      m.remove(tenantId, issuerId!, id!, 'cli'),
    );
    emit(Boolean(f.json), { id, removed: true }, `exchange mapping ${id} removed`);
  }
}
