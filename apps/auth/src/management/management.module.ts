import { Module } from '@nestjs/common';
import { ManagementPortsModule } from '@tessera/infrastructure/management/management.module';
import { FederationModule } from '@tessera/infrastructure/federation/federation.module';
import { TrustedIssuersController } from './trusted-issuers.controller';
import { KeysController } from './keys.controller';
import { AuditController } from './audit.controller';
import { ClientsController } from './clients.controller';
import { IdempotentCreates } from './idempotency';
import { ManagementAuthGuard } from './management-auth.guard';
import { TenantScope } from './management-principal';
import { ManagementServer } from './management-server';
import { ResourceServersController } from './resource-servers.controller';
import { TenantsController } from './tenants.controller';
import { TokensController } from './tokens.controller';

/** The management API (docs/management-api.md): served only on MANAGEMENT_PORT. */
@Module({
  imports: [ManagementPortsModule, FederationModule],
  controllers: [
    TenantsController,
    ClientsController,
    ResourceServersController,
    TrustedIssuersController,
    TokensController,
    AuditController,
    KeysController,
  ],
  providers: [ManagementAuthGuard, ManagementServer, TenantScope, IdempotentCreates],
})
export class ManagementModule {}
