import { Option, SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { withTenantServices } from '../wiring/token-services';
import { emit } from '../output';

interface Flags extends TenantFlags {
  name?: string;
  grants?: string[];
  scopes?: string[];
  resources?: string[];
}

@SubCommand({ name: 'create', description: 'create a service client; its secret is shown once' })
export class ClientCreateCommand extends TenantScopedCommand {
  async run(_: string[], f: Flags): Promise<void> {
    const { client, secret, resources } = await withTenantServices(
      f.tenant,
      async (s, tenantId) => {
        // Checked before the client exists, so a bad --resources creates nothing.
        for (const r of f.resources ?? []) await s.resourceServers.check(tenantId, r);
        const created = await s.clients.create(
          tenantId,
          { name: f.name ?? '', grants: f.grants, scopes: f.scopes },
          'cli',
        );
        const allowed = f.resources?.length
          ? await s.resourceServers.allow(tenantId, created.client.id, f.resources, 'cli')
          : [];
        return { ...created, resources: allowed };
      },
    );
    emit(
      Boolean(f.json),
      {
        client_id: client.id,
        client_secret: secret,
        tenant_id: client.tenantId,
        grants: client.grants,
        scopes: client.scopes,
        resources,
      },
      `client ${client.id} created\nclient_secret: ${secret}\n(shown once: store it now)`,
    );
  }
  @Option({ flags: '--name <name>', required: true })
  parseName(v: string): string {
    return v;
  }
  @Option({ flags: '--grants <list>', description: 'comma-separated (default client_credentials)' })
  parseGrants(v: string): string[] {
    return v
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
  }
  @Option({
    flags: '--scopes <scopes>',
    description: 'space-separated scopes the client may request',
  })
  parseScopes(v: string): string[] {
    return v.split(' ').filter(Boolean);
  }
  @Option({
    flags: '--resources <uris>',
    description: 'space-separated resource server identifiers the client may ask tokens for',
  })
  parseResources(v: string): string[] {
    return v.split(' ').filter(Boolean);
  }
}
