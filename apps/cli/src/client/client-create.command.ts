import { Option, SubCommand } from 'nest-commander';
import { TenantScopedCommand } from '../options';
import { withTokenServices } from '../db/token-services';
import { tenantBySlug } from '../db/tenant-flag';
import { emit } from '../output';

interface Flags {
  tenant?: string;
  name?: string;
  grants?: string[];
  scopes?: string[];
  json?: boolean;
}

@SubCommand({ name: 'create', description: 'create a service client; its secret is shown once' })
export class ClientCreateCommand extends TenantScopedCommand {
  async run(_: string[], f: Flags): Promise<void> {
    const { client, secret } = await withTokenServices(async (s) => {
      const t = await tenantBySlug(s, f.tenant);
      return s.clients.create(
        t.id,
        { name: f.name ?? '', grants: f.grants, scopes: f.scopes },
        'cli',
      );
    });
    emit(
      Boolean(f.json),
      {
        client_id: client.id,
        client_secret: secret,
        tenant_id: client.tenantId,
        grants: client.grants,
        scopes: client.scopes,
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
}
