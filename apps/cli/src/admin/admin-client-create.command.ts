import { Option, SubCommand } from 'nest-commander';
import { CreatePlatformClient } from '@tessera/application/tenant/create-platform-client.use-case';
import { PLATFORM_SCOPE } from '@tessera/domain/tenant/management-scopes';
import { TypeOrmPlatformTenant } from '@tessera/infrastructure/management/typeorm-platform-tenant.adapter';
import { JsonCommand } from '../options';
import { withTokenServices } from '../wiring/token-services';
import { emit } from '../output';

@SubCommand({
  name: 'create',
  description: `create a platform client (${PLATFORM_SCOPE}: creates and disables tenants over the management API); its secret is shown once`,
})
export class AdminClientCreateCommand extends JsonCommand {
  async run(_: string[], f: { name?: string; json?: boolean }): Promise<void> {
    const { client, secret } = await withTokenServices((s) =>
      new CreatePlatformClient(new TypeOrmPlatformTenant(s.tx), s.clients).execute(
        f.name ?? 'platform',
        'cli',
      ),
    );
    emit(
      Boolean(f.json),
      {
        client_id: client.id,
        client_secret: secret,
        tenant_id: client.tenantId,
        scopes: client.scopes,
      },
      `platform client ${client.id} created\nclient_secret: ${secret}\n(shown once: store it now)`,
    );
  }
  @Option({ flags: '--name <name>', description: 'display name (default: platform)' })
  parseName(v: string): string {
    return v;
  }
}
