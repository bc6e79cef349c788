import { Global, Module } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import type { AuditLog } from '@tessera/application/ports/audit-log.port';
import type { ManageClients } from '@tessera/application/manage-clients/manage-clients.use-case';
import { ManageResourceServers } from '@tessera/application/resource-servers/manage-resource-servers.use-case';
import type { ResourceServerRepository } from '@tessera/application/resource-servers/resource-server-repository.port';
import { CreatePlatformClient } from '@tessera/application/tenant/create-platform-client.use-case';
import { ManageTenants } from '@tessera/application/tenant/manage-tenants.use-case';
import type { PlatformTenant } from '@tessera/application/tenant/platform-tenant.port';
import type { TenantDirectory } from '@tessera/application/tenant/tenant-directory.port';
import { TypeOrmAuditQuery } from '../audit/typeorm-audit-trail';
import { overTransactions } from '../postgres/providers';
import { TypeOrmIdempotencyStore } from './typeorm-idempotency-store.adapter';
import { TypeOrmPlatformTenant } from './typeorm-platform-tenant.adapter';

/** The management API's ports: the platform tenant, idempotency keys, the audit read side. */
@Global()
@Module({
  providers: [
    overTransactions(DI.PlatformTenant, TypeOrmPlatformTenant),
    {
      provide: DI.ManageTenants,
      inject: [DI.Tenants, DI.PlatformTenant, DI.AuditLog],
      useFactory: (t: TenantDirectory, p: PlatformTenant, a: AuditLog) =>
        new ManageTenants(t, p, a),
    },
    {
      provide: DI.CreatePlatformClient,
      inject: [DI.PlatformTenant, DI.ManageClients],
      useFactory: (p: PlatformTenant, c: ManageClients) => new CreatePlatformClient(p, c),
    },
    {
      provide: DI.ManageResourceServers,
      inject: [DI.ResourceServers, DI.AuditLog],
      useFactory: (r: ResourceServerRepository, a: AuditLog) => new ManageResourceServers(r, a),
    },
    overTransactions(DI.IdempotencyStore, TypeOrmIdempotencyStore),
    overTransactions(DI.AuditQuery, TypeOrmAuditQuery),
  ],
  exports: [
    DI.PlatformTenant,
    DI.ManageTenants,
    DI.CreatePlatformClient,
    DI.IdempotencyStore,
    DI.AuditQuery,
    DI.ManageResourceServers,
  ],
})
export class ManagementPortsModule {}
