import { Body, Get, Inject, Param, Query } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import type { ManageTenants } from '@tessera/application/tenant/manage-tenants.use-case';
import { jsonBody, optString } from './body';
import { Creation, IdempotentCreates, type CreateRequest } from './idempotency';
import { PlatformOnly } from './management-auth.guard';
import { ManagementController, PostAction, PostCreate } from './management-controller';
import { actingOn, Principal, type ManagementPrincipal } from './management-principal';
import { pageById } from './pagination';
import { tenantView } from './views';

/** Tenants: the platform creates, lists and disables them; a tenant sees only itself. */
@ManagementController('tenants')
export class TenantsController {
  constructor(
    @Inject(DI.ManageTenants) private readonly tenants: ManageTenants,
    private readonly creates: IdempotentCreates,
  ) {}

  @PostCreate()
  @PlatformOnly()
  create(
    @Principal() p: ManagementPrincipal,
    @Body() raw: unknown,
    @Creation() call: CreateRequest,
  ) {
    const b = jsonBody(raw, ['slug', 'name']);
    return this.creates.run(call, async () => ({
      body: tenantView(
        await this.tenants.create(optString(b, 'slug') ?? '', optString(b, 'name'), p.actor),
      ),
    }));
  }

  @Get()
  async list(@Principal() p: ManagementPrincipal, @Query() q: Record<string, unknown>) {
    const all = p.platform ? await this.tenants.list() : [await this.tenants.get(p.tenantId)];
    return pageById(all, q, tenantView);
  }

  @Get(':tenant_id')
  async get(@Principal() p: ManagementPrincipal, @Param('tenant_id') id: string) {
    return tenantView(await this.tenants.get(actingOn(p, id)));
  }

  @PostAction(':tenant_id/disable')
  @PlatformOnly()
  async disable(@Principal() p: ManagementPrincipal, @Param('tenant_id') id: string) {
    return tenantView(await this.tenants.disable(id, p.actor));
  }
}
