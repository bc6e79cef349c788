import { Body, Get, Inject, Param, Patch, Query } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import type { ManageClients } from '@tessera/application/manage-clients/manage-clients.use-case';
import type { ManageResourceServers } from '@tessera/application/resource-servers/manage-resource-servers.use-case';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { jsonBody, optString, optStrings } from './body';
import { Creation, IdempotentCreates, type CreateRequest } from './idempotency';
import { ManagementController, PostAction, PostCreate } from './management-controller';
import { OnTenant, TenantScope, type TenantCall } from './management-principal';
import { decodeCursor, isAfterId, pageLimit, pageOf } from './pagination';
import { clientView } from './views';

/** A tenant's service clients, through the same use cases as `client …` in the CLI. */
@ManagementController('tenants/:tenant_id/clients')
export class ClientsController {
  constructor(
    @Inject(DI.ManageClients) private readonly clients: ManageClients,
    @Inject(DI.ManageResourceServers) private readonly servers: ManageResourceServers,
    private readonly tenants: TenantScope,
    private readonly creates: IdempotentCreates,
  ) {}

  @PostCreate()
  async create(@OnTenant() p: TenantCall, @Body() raw: unknown, @Creation() call: CreateRequest) {
    const b = jsonBody(raw, ['name', 'grants', 'scopes', 'resources']);
    const tid = await this.tenants.id(p);
    const resources = optStrings(b, 'resources') ?? [];
    return this.creates.run(call, async () => {
      // Checked before the client exists, so a bad resource creates nothing (as the CLI does).
      for (const r of resources) await this.servers.check(tid, r);
      const { client, secret } = await this.clients.create(
        tid,
        {
          name: optString(b, 'name') ?? '',
          grants: optStrings(b, 'grants'),
          scopes: optStrings(b, 'scopes'),
        },
        p.actor,
      );
      const allowed = resources.length
        ? await this.servers.allow(tid, client.id, resources, p.actor)
        : [];
      const view = { ...clientView(client), resources: allowed };
      return { body: { ...view, client_secret: secret }, replay: view };
    });
  }

  @Get()
  async list(@OnTenant() p: TenantCall, @Query() q: Record<string, unknown>) {
    const tid = await this.tenants.id(p);
    const limit = pageLimit(q.limit);
    const after = decodeCursor(q.cursor, isAfterId)?.after;
    // One more than a page: whether there is a next one, without counting.
    const rows = await this.clients.list(tid, { after, limit: limit + 1 });
    return pageOf(rows, limit, clientView);
  }

  @Get(':client_id')
  async get(@OnTenant() p: TenantCall, @Param('client_id') clientId: string) {
    return clientView(await this.clients.get(await this.tenants.id(p), clientId));
  }

  /** Replaces what is named: grants, scopes, the resource servers it may ask tokens for. */
  @Patch(':client_id')
  async update(
    @OnTenant() p: TenantCall,
    @Param('client_id') clientId: string,
    @Body() raw: unknown,
  ) {
    const b = jsonBody(raw, ['grants', 'scopes', 'resources']);
    const [grants, scopes, resources] = ['grants', 'scopes', 'resources'].map((k) =>
      optStrings(b, k),
    );
    if (!grants && !scopes && !resources) {
      throw new DomainError('invalid_request', 'name what to change: grants, scopes, resources');
    }
    const tid = await this.tenants.id(p);
    await this.clients.get(tid, clientId);
    // Resources first: checked against the tenant's resource servers before anything changes.
    if (resources) await this.servers.allow(tid, clientId, resources, p.actor);
    if (grants || scopes) await this.clients.update(tid, clientId, { grants, scopes }, p.actor);
    return clientView(await this.clients.get(tid, clientId));
  }

  @PostAction(':client_id/rotate-secret')
  async rotate(@OnTenant() p: TenantCall, @Param('client_id') clientId: string) {
    const tid = await this.tenants.id(p);
    const secret = await this.clients.rotateSecret(tid, clientId, p.actor);
    return { client_id: clientId, client_secret: secret };
  }

  @PostAction(':client_id/disable')
  async disable(@OnTenant() p: TenantCall, @Param('client_id') clientId: string) {
    const tid = await this.tenants.id(p);
    await this.clients.disable(tid, clientId, p.actor);
    return clientView(await this.clients.get(tid, clientId));
  }
}
