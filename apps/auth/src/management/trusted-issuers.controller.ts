import { Body, Get, Inject, Param, Query } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import type { ManageExchangeMappings } from '@tessera/application/manage-trusted-issuers/manage-exchange-mappings.use-case';
import type { ManageTrustedIssuers } from '@tessera/application/manage-trusted-issuers/manage-trusted-issuers.use-case';
import { mappingView, trustedIssuerView } from '@tessera/application/manage-trusted-issuers/views';
import { jsonBody, optString, optStrings } from './body';
import { Creation, IdempotentCreates, type CreateRequest } from './idempotency';
import { DeleteNoContent, ManagementController, PostCreate } from './management-controller';
import { OnTenant, TenantScope, type TenantCall } from './management-principal';
import { pageById } from './pagination';

/** Trusted issuers for token exchange and their mappings, as `issuer …` in the CLI. */
@ManagementController('tenants/:tenant_id/trusted-issuers')
export class TrustedIssuersController {
  constructor(
    @Inject(DI.ManageTrustedIssuers) private readonly issuers: ManageTrustedIssuers,
    @Inject(DI.ManageExchangeMappings) private readonly mappings: ManageExchangeMappings,
    private readonly tenants: TenantScope,
    private readonly creates: IdempotentCreates,
  ) {}

  @PostCreate()
  async add(@OnTenant() p: TenantCall, @Body() raw: unknown, @Creation() call: CreateRequest) {
    const b = jsonBody(raw, ['issuer', 'jwks_uri', 'audience', 'subject_prefix', 'scopes', 'role']);
    const tid = await this.tenants.id(p);
    return this.creates.run(call, async () => {
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
      return { body: trustedIssuerView(row) };
    });
  }

  @Get()
  async list(@OnTenant() p: TenantCall, @Query() q: Record<string, unknown>) {
    return pageById(await this.issuers.list(await this.tenants.id(p)), q, trustedIssuerView);
  }

  @DeleteNoContent(':issuer_id')
  async remove(@OnTenant() p: TenantCall, @Param('issuer_id') issuerId: string): Promise<void> {
    await this.issuers.remove(await this.tenants.id(p), issuerId, p.actor);
  }

  @PostCreate(':issuer_id/mappings')
  async addMapping(
    @OnTenant() p: TenantCall,
    @Param('issuer_id') issuerId: string,
    @Body() raw: unknown,
    @Creation() call: CreateRequest,
  ) {
    const b = jsonBody(raw, ['priority', 'match', 'scopes', 'role', 'claims', 'resources']);
    const tid = await this.tenants.id(p);
    return this.creates.run(call, async () => {
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
      return { body: mappingView(row) };
    });
  }

  /** In the order they are tried (priority, then age); not paginated (a bounded set). */
  @Get(':issuer_id/mappings')
  async listMappings(@OnTenant() p: TenantCall, @Param('issuer_id') issuerId: string) {
    const rows = await this.mappings.list(await this.tenants.id(p), issuerId);
    return { items: rows.map(mappingView), next_cursor: null };
  }

  @DeleteNoContent(':issuer_id/mappings/:mapping_id')
  async removeMapping(
    @OnTenant() p: TenantCall,
    @Param('issuer_id') issuerId: string,
    @Param('mapping_id') id: string,
  ): Promise<void> {
    await this.mappings.remove(await this.tenants.id(p), issuerId, id, p.actor);
  }
}
