import { Body, Get, Inject, Param, Query } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import type { ManageResourceServers } from '@tessera/application/resource-servers/manage-resource-servers.use-case';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { jsonBody, optString, optStrings } from './body';
import { Creation, IdempotentCreates, type CreateRequest } from './idempotency';
import { ManagementController, PostAction, PostCreate } from './management-controller';
import { OnTenant, TenantScope, type TenantCall } from './management-principal';
import { pageById } from './pagination';
import { resourceServerView } from './views';

/** A tenant's resource servers (docs/resource-servers.md), as `resource …` in the CLI. */
@ManagementController('tenants/:tenant_id/resource-servers')
export class ResourceServersController {
  constructor(
    @Inject(DI.ManageResourceServers) private readonly servers: ManageResourceServers,
    private readonly tenants: TenantScope,
    private readonly creates: IdempotentCreates,
  ) {}

  @PostCreate()
  async create(@OnTenant() p: TenantCall, @Body() raw: unknown, @Creation() call: CreateRequest) {
    const b = jsonBody(raw, ['identifier', 'scopes']);
    const tid = await this.tenants.id(p);
    return this.creates.run(call, async () => {
      const { server, secret } = await this.servers.create(
        tid,
        { identifier: optString(b, 'identifier') ?? '', scopes: optStrings(b, 'scopes') },
        p.actor,
      );
      const view = resourceServerView(server);
      return { body: { ...view, client_secret: secret }, replay: view };
    });
  }

  @Get()
  async list(@OnTenant() p: TenantCall, @Query() q: Record<string, unknown>) {
    const rows = await this.servers.list(await this.tenants.id(p));
    return pageById(rows, q, resourceServerView);
  }

  @PostAction(':id/disable')
  async disable(@OnTenant() p: TenantCall, @Param('id') id: string) {
    const tid = await this.tenants.id(p);
    await this.servers.disable(tid, id, p.actor);
    const server = (await this.servers.list(tid)).find((s) => s.id === id);
    if (!server) throw new DomainError('not_found', 'no such resource server in this tenant');
    return resourceServerView(server);
  }
}
