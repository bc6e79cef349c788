import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DI } from '@tessera/application/di-tokens';
import type { IdempotencyStore } from '@tessera/application/idempotency/idempotency-store.port';
import type { ManageTenants } from '@tessera/application/tenant/manage-tenants.use-case';
import { jsonBody, optString } from './body';
import { idempotent } from './idempotency';
import { ManagementAuthGuard, PlatformOnly } from './management-auth.guard';
import { actingOn, Principal, type ManagementPrincipal } from './management-principal';
import { MANAGEMENT_PREFIX } from './management-request';
import { pageById } from './pagination';
import { tenantView } from './views';

/** Tenants: the platform creates, lists and disables them; a tenant sees only itself. */
@Controller(`${MANAGEMENT_PREFIX.slice(1)}/api/v1/tenants`)
@UseGuards(ManagementAuthGuard)
export class TenantsController {
  constructor(
    @Inject(DI.ManageTenants) private readonly tenants: ManageTenants,
    @Inject(DI.IdempotencyStore) private readonly keys: IdempotencyStore,
  ) {}

  @Post()
  @HttpCode(201)
  @PlatformOnly()
  create(
    @Principal() p: ManagementPrincipal,
    @Body() raw: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const b = jsonBody(raw, ['slug', 'name']);
    return idempotent(this.keys, req, res, p, async () => {
      const view = tenantView(
        await this.tenants.create(optString(b, 'slug') ?? '', optString(b, 'name'), p.actor),
      );
      return { body: view, replay: view };
    });
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

  @Post(':tenant_id/disable')
  @HttpCode(200)
  @PlatformOnly()
  async disable(@Principal() p: ManagementPrincipal, @Param('tenant_id') id: string) {
    return tenantView(await this.tenants.disable(id, p.actor));
  }
}
