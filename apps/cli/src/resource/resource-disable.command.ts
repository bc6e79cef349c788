import { SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { withTenantServices } from '../wiring/token-services';
import { emit } from '../output';

@SubCommand({
  name: 'disable',
  arguments: '<id>',
  description: 'disable a resource server: no new tokens for it, its credentials stop working',
})
export class ResourceDisableCommand extends TenantScopedCommand {
  async run([id]: string[], f: TenantFlags): Promise<void> {
    await withTenantServices(f.tenant, (s, tenantId) =>
      s.resourceServers.disable(tenantId, id!, 'cli'),
    );
    emit(Boolean(f.json), { id, status: 'disabled' }, `resource server ${id} disabled`);
  }
}
