import { SubCommand } from 'nest-commander';
import { TenantScopedCommand } from '../options';
import { withTokenServices } from '../wiring/token-services';
import { tenantBySlug } from '../wiring/tenant-flag';
import { emit } from '../output';

@SubCommand({
  name: 'disable',
  arguments: '<client_id>',
  description: 'disable a client (it can no longer authenticate)',
})
export class ClientDisableCommand extends TenantScopedCommand {
  async run([clientId]: string[], f: { tenant?: string; json?: boolean }): Promise<void> {
    await withTokenServices(async (s) =>
      s.clients.disable((await tenantBySlug(s, f.tenant)).id, clientId!, 'cli'),
    );
    emit(
      Boolean(f.json),
      { client_id: clientId, status: 'disabled' },
      `client ${clientId} disabled`,
    );
  }
}
