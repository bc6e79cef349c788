import { SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { withTenantServices } from '../wiring/token-services';
import { emit } from '../output';

@SubCommand({ name: 'list', description: 'list the resource servers (APIs) of a tenant' })
export class ResourceListCommand extends TenantScopedCommand {
  async run(_: string[], f: TenantFlags): Promise<void> {
    const rows = await withTenantServices(f.tenant, (s, tenantId) =>
      s.resourceServers.list(tenantId),
    );
    const list = rows.map((r) => ({
      id: r.id,
      identifier: r.identifier,
      client_id: r.clientId,
      scopes: r.scopes,
      status: r.status,
      created_at: r.createdAt.toISOString(),
    }));
    emit(
      Boolean(f.json),
      { resource_servers: list },
      list.map((r) => `${r.id}  ${r.status}  ${r.identifier}  ${r.scopes.join(' ')}`).join('\n') ||
        '(no resource servers)',
    );
  }
}
