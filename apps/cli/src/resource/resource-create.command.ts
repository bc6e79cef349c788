import { Option, SubCommand } from 'nest-commander';
import { TenantScopedCommand, type TenantFlags } from '../options';
import { withTenantServices } from '../wiring/token-services';
import { emit } from '../output';

interface Flags extends TenantFlags {
  identifier?: string;
  scopes?: string[];
}

@SubCommand({
  name: 'create',
  description: 'register an API (resource server); its client secret is shown once',
})
export class ResourceCreateCommand extends TenantScopedCommand {
  async run(_: string[], f: Flags): Promise<void> {
    const { server, secret } = await withTenantServices(f.tenant, (s, tenantId) =>
      s.resourceServers.create(
        tenantId,
        { identifier: f.identifier ?? '', scopes: f.scopes },
        'cli',
      ),
    );
    emit(
      Boolean(f.json),
      {
        id: server.id,
        identifier: server.identifier,
        client_id: server.clientId,
        client_secret: secret,
      },
      `resource server ${server.id} (${server.identifier}) created\nclient_id: ${server.clientId}\nclient_secret: ${secret}\n(shown once: store it now)`,
    );
  }
  @Option({
    flags: '--identifier <uri>',
    required: true,
    description: 'absolute URI without fragment: the aud of tokens for this API',
  })
  parseIdentifier(v: string): string {
    return v;
  }
  @Option({ flags: '--scopes <scopes>', description: 'space-separated scopes this API accepts' })
  parseScopes(v: string): string[] {
    return v.split(' ').filter(Boolean);
  }
}
