import { SubCommand } from 'nest-commander';
import { TenantScopedCommand } from '../options';
import { withTokenServices } from '../wiring/token-services';
import { tenantBySlug } from '../wiring/tenant-flag';
import { emit } from '../output';

@SubCommand({
  name: 'rotate-secret',
  arguments: '<client_id>',
  description: 'replace a client’s secret (shown once)',
})
export class ClientRotateSecretCommand extends TenantScopedCommand {
  async run([clientId]: string[], f: { tenant?: string; json?: boolean }): Promise<void> {
    const secret = await withTokenServices(async (s) =>
      s.clients.rotateSecret((await tenantBySlug(s, f.tenant)).id, clientId!, 'cli'),
    );
    emit(
      Boolean(f.json),
      { client_id: clientId, client_secret: secret },
      `client_secret: ${secret}\n(shown once: store it now)`,
    );
  }
}
