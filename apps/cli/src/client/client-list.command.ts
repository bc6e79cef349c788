import { SubCommand } from 'nest-commander';
import { TenantScopedCommand } from '../options';
import { withTokenServices } from '../wiring/token-services';
import { tenantBySlug } from '../wiring/tenant-flag';
import { emit } from '../output';

@SubCommand({ name: 'list', description: 'list a tenant’s clients' })
export class ClientListCommand extends TenantScopedCommand {
  async run(_: string[], f: { tenant?: string; json?: boolean }): Promise<void> {
    const list = await withTokenServices(async (s) =>
      s.clients.list((await tenantBySlug(s, f.tenant)).id),
    );
    const clients = list.map((c) => ({
      client_id: c.id,
      name: c.name,
      status: c.status,
      grants: c.grants,
      scopes: c.scopes,
      resources: c.resources ?? [],
      ...(c.resourceServer ? { resource_server: c.resourceServer.id } : {}),
    }));
    emit(
      Boolean(f.json),
      { clients },
      clients.map((c) => `${c.client_id}  ${c.status}  ${c.name}`).join('\n') || '(no clients)',
    );
  }
}
