import {
  Body,
  Controller,
  Delete,
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
import type { ManageExchangeMappings } from '@tessera/application/manage-trusted-issuers/manage-exchange-mappings.use-case';
import type { ManageTrustedIssuers } from '@tessera/application/manage-trusted-issuers/manage-trusted-issuers.use-case';
import type { ManageTenants } from '@tessera/application/tenant/manage-tenants.use-case';
import { jsonBody, optString, optStrings } from './body';
import { idempotent } from './idempotency';
import { ManagementAuthGuard } from './management-auth.guard';
import { actingOn, Principal, type ManagementPrincipal } from './management-principal';
import { MANAGEMENT_PREFIX } from './management-request';
import { pageById } from './pagination';
import { mappingView, trustedIssuerView } from './views';

/** Trusted issuers for token exchange and their mappings, as `issuer …` in the CLI. */
@Controller(`${MANAGEMENT_PREFIX.slice(1)}/api/v1/tenants/:tenant_id/trusted-issuers`)
@UseGuards(ManagementAuthGuard)
export class TrustedIssuersController {
  constructor(
    @Inject(DI.ManageTrustedIssuers) private readonly issuers: ManageTrustedIssuers,
    @Inject(DI.ManageExchangeMappings) private readonly mappings: ManageExchangeMappings,
    @Inject(DI.ManageTenants) private readonly tenants: ManageTenants,
    @Inject(DI.IdempotencyStore) private readonly keys: IdempotencyStore,
  ) {}

  private async tenant(p: ManagementPrincipal, id: string): Promise<string> {
    return (await this.tenants.get(actingOn(p, id))).id;
  }

  @Post()
  @HttpCode(201)
  async add(
    @Principal() p: ManagementPrincipal,
    @Param('tenant_id') tenantId: string,
    @Body() raw: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const b = jsonBody(raw, ['issuer', 'jwks_uri', 'audience', 'subject_prefix', 'scopes', 'role']);
    const tid = await this.tenant(p, tenantId);
    return idempotent(this.keys, req, res, p, async () => {
      const row = await this.issuers.add(
        tid,
        {
          issuer: optString(b, 'issuer'),
          jwksUri: optString(b, 'jwks_uri'),
          audience: optString(b, 'audience'),
          subjectPrefix: optString(b, 'subject_prefix'),
          scopes: optStrings(b, 'scopes'),
          role: optString(b, 'role'),
        },
        p.actor,
      );
      const view = trustedIssuerView(row);
      return { body: view, replay: view };
    });
  }

  @Get()
  async list(
    @Principal() p: ManagementPrincipal,
    @Param('tenant_id') tenantId: string,
    @Query() q: Record<string, unknown>,
  ) {
    return pageById(await this.issuers.list(await this.tenant(p, tenantId)), q, trustedIssuerView);
  }

  @Delete(':issuer_id')
  @HttpCode(204)
  async remove(
    @Principal() p: ManagementPrincipal,
    @Param('tenant_id') tenantId: string,
    @Param('issuer_id') issuerId: string,
  ): Promise<void> {
    await this.issuers.remove(await this.tenant(p, tenantId), issuerId, p.actor);
  }

  @Post(':issuer_id/mappings')
  @HttpCode(201)
  async addMapping(
    @Principal() p: ManagementPrincipal,
    @Param('tenant_id') tenantId: string,
    @Param('issuer_id') issuerId: string,
    @Body() raw: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const b = jsonBody(raw, ['priority', 'match', 'scopes', 'role', 'claims', 'resources']);
    const tid = await this.tenant(p, tenantId);
    return idempotent(this.keys, req, res, p, async () => {
      const row = await this.mappings.add(
        tid,
        issuerId,
        {
          priority: b.priority as number | undefined,
          match: b.match as Record<string, unknown> | undefined,
          scopes: optStrings(b, 'scopes'),
          role: optString(b, 'role'),
          claims: b.claims as Record<string, unknown> | undefined,
          resources: optStrings(b, 'resources'),
        },
        p.actor,
      );
      const view = mappingView(row);
      return { body: view, replay: view };
    });
  }

  /** In the order they are tried (priority, then age); not paginated (a bounded set). */
  @Get(':issuer_id/mappings')
  async listMappings(
    @Principal() p: ManagementPrincipal,
    @Param('tenant_id') tenantId: string,
    @Param('issuer_id') issuerId: string,
  ) {
    const rows = await this.mappings.list(await this.tenant(p, tenantId), issuerId);
    return { items: rows.map(mappingView), next_cursor: null };
  }

  @Delete(':issuer_id/mappings/:mapping_id')
  @HttpCode(204)
  async removeMapping(
    @Principal() p: ManagementPrincipal,
    @Param('tenant_id') tenantId: string,
    @Param('issuer_id') issuerId: string,
    @Param('mapping_id') id: string,
  ): Promise<void> {
    await this.mappings.remove(await this.tenant(p, tenantId), issuerId, id, p.actor);
  }
}
