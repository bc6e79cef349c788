import { SubCommand } from 'nest-commander';
import { TenantScopedCommand } from '../options';
import { withTokenServices } from '../wiring/token-services';
import { tenantBySlug } from '../wiring/tenant-flag';
import { emit } from '../output';

@SubCommand({
  name: 'disable',
  arguments: '<id>',
  description: 'disable a resource server: no new tokens for it, its credentials stop working',
})
export class ResourceDisableCommand extends TenantScopedCommand {
  async run([id]: string[], f: { tenant?: string; json?: boolean }): Promise<void> {
    await withTokenServices(async (s) =>
      s.resourceServers.disable((await tenantBySlug(s, f.tenant)).id, id!, 'cli'),
    );
    emit(Boolean(f.json), { id, status: 'disabled' }, `resource server ${id} disabled`);
  }
}
