import { PLATFORM_SCOPE } from '@tessera/domain/tenant/management-scopes';
import type { Client } from '@tessera/domain/token/client';
import type { ManageClients } from '../manage-clients/manage-clients.use-case';
import type { PlatformTenant } from './platform-tenant.port';

/** `admin client create`: a client of the platform tenant holding `tessera:platform`. */
export class CreatePlatformClient {
  constructor(
    private readonly platform: PlatformTenant,
    private readonly clients: ManageClients,
  ) {}

  async execute(name: string, actor: string): Promise<{ client: Client; secret: string }> {
    const tenant = await this.platform.ensure();
    return this.clients.create(
      tenant.id,
      { name, grants: ['client_credentials'], scopes: [PLATFORM_SCOPE] },
      actor,
      { platform: true },
    );
  }
}
