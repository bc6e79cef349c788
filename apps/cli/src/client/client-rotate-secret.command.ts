import { SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { withTenantServices } from '../wiring/token-services';
import { emit } from '../output';

@SubCommand({
  name: 'rotate-secret',
  arguments: '<client_id>',
  description: 'replace a client’s secret (shown once)',
})
export class ClientRotateSecretCommand extends TenantScopedCommand {
  async run([clientId]: string[], f: TenantFlags): Promise<void> {
    const secret = await withTenantServices(f.tenant, (s, tenantId) =>
      s.clients.rotateSecret(tenantId, clientId!, 'cli'),
    );
    emit(
      Boolean(f.json),
      { client_id: clientId, client_secret: secret },
      `client_secret: ${secret}\n(shown once: store it now)`,
    );
  }
}
