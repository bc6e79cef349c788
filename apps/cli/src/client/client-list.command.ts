import { SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { withTenantServices } from '../wiring/token-services';
import { emit } from '../output';

@SubCommand({ name: 'list', description: 'list a tenant’s clients' })
export class ClientListCommand extends TenantScopedCommand {
  async run(_: string[], f: TenantFlags): Promise<void> {
    const list = await withTenantServices(f.tenant, (s, tenantId) => s.clients.list(tenantId));
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
