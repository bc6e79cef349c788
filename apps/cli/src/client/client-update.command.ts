import { Option, SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { withTenantServices } from '../wiring/token-services';
import { CliError, emit } from '../output';

interface Flags extends TenantFlags {
  resources?: string[];
}

@SubCommand({
  name: 'update',
  arguments: '<client_id>',
  description: 'change a client: --resources replaces the resource servers it may ask for',
})
export class ClientUpdateCommand extends TenantScopedCommand {
  async run([clientId]: string[], f: Flags): Promise<void> {
    if (f.resources === undefined) throw new CliError('name what to change: --resources "<uri> …"');
    const resources = await withTenantServices(f.tenant, (s, tenantId) =>
      s.resourceServers.allow(tenantId, clientId!, f.resources!, 'cli'),
    );
    emit(
      Boolean(f.json),
      { client_id: clientId, resources },
      `client ${clientId} may ask for: ${resources.join(' ') || '(no resource servers)'}`,
    );
  }
  @Option({
    flags: '--resources <uris>',
    description: 'space-separated resource server identifiers ("" for none)',
  })
  parseResources(v: string): string[] {
    return v.split(' ').filter(Boolean);
  }
}
