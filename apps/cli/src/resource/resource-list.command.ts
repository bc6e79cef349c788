import { SubCommand } from 'nest-commander';
import { TenantScopedCommand } from '../options';
import { withTokenServices } from '../wiring/token-services';
import { tenantBySlug } from '../wiring/tenant-flag';
import { emit } from '../output';

@SubCommand({ name: 'list', description: 'list the resource servers (APIs) of a tenant' })
export class ResourceListCommand extends TenantScopedCommand {
  async run(_: string[], f: { tenant?: string; json?: boolean }): Promise<void> {
    const rows = await withTokenServices(async (s) =>
      s.resourceServers.list((await tenantBySlug(s, f.tenant)).id),
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
