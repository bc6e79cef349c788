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
import type { ManageResourceServers } from '@tessera/application/resource-servers/manage-resource-servers.use-case';
import type { ManageTenants } from '@tessera/application/tenant/manage-tenants.use-case';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { jsonBody, optString, optStrings } from './body';
import { idempotent } from './idempotency';
import { ManagementAuthGuard } from './management-auth.guard';
import { actingOn, Principal, type ManagementPrincipal } from './management-principal';
import { MANAGEMENT_PREFIX } from './management-request';
import { pageById } from './pagination';
import { resourceServerView } from './views';

/** A tenant's resource servers (docs/resource-servers.md), as `resource …` in the CLI. */
@Controller(`${MANAGEMENT_PREFIX.slice(1)}/api/v1/tenants/:tenant_id/resource-servers`)
@UseGuards(ManagementAuthGuard)
export class ResourceServersController {
  constructor(
    @Inject(DI.ManageResourceServers) private readonly servers: ManageResourceServers,
    @Inject(DI.ManageTenants) private readonly tenants: ManageTenants,
    @Inject(DI.IdempotencyStore) private readonly keys: IdempotencyStore,
  ) {}

  private async tenant(p: ManagementPrincipal, id: string): Promise<string> {
    return (await this.tenants.get(actingOn(p, id))).id;
  }

  @Post()
  @HttpCode(201)
  async create(
    @Principal() p: ManagementPrincipal,
    @Param('tenant_id') tenantId: string,
    @Body() raw: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const b = jsonBody(raw, ['identifier', 'scopes']);
    const tid = await this.tenant(p, tenantId);
    return idempotent(this.keys, req, res, p, async () => {
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
  async list(
    @Principal() p: ManagementPrincipal,
    @Param('tenant_id') tenantId: string,
    @Query() q: Record<string, unknown>,
  ) {
    return pageById(await this.servers.list(await this.tenant(p, tenantId)), q, resourceServerView);
  }

  @Post(':id/disable')
  @HttpCode(200)
  async disable(
    @Principal() p: ManagementPrincipal,
    @Param('tenant_id') tenantId: string,
    @Param('id') id: string,
  ) {
    const tid = await this.tenant(p, tenantId);
    await this.servers.disable(tid, id, p.actor);
    const server = (await this.servers.list(tid)).find((s) => s.id === id);
    if (!server) throw new DomainError('not_found', 'no such resource server in this tenant');
    return resourceServerView(server);
  }
}
