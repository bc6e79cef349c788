import { SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { withTenantServices } from '../wiring/token-services';
import { emit } from '../output';

@SubCommand({
  name: 'disable',
  arguments: '<client_id>',
  description: 'disable a client (it can no longer authenticate)',
})
export class ClientDisableCommand extends TenantScopedCommand {
  async run([clientId]: string[], f: TenantFlags): Promise<void> {
    await withTenantServices(f.tenant, (s, tenantId) =>
      s.clients.disable(tenantId, clientId!, 'cli'),
    );
    emit(
      Boolean(f.json),
      { client_id: clientId, status: 'disabled' },
      `client ${clientId} disabled`,
    );
  }
}
