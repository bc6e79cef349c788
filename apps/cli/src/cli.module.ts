import { Module } from '@nestjs/common';
import { ClientCommand, CLIENT_COMMANDS } from './client/client.command';
import { DenylistCommand, DenylistPruneCommand } from './denylist/denylist.command';
import { AuditCommand } from './audit/audit.command';
import { AuditTailCommand } from './audit/audit-tail.command';
import { KeysCommand, KEYS_COMMANDS } from './keys/keys.command';
import { IssuerCommand, ISSUER_COMMANDS } from './issuer/issuer.command';
import { TokenCommand, TOKEN_COMMANDS } from './token/token.command';
import { MigrateCommand } from './migrate/migrate.command';
import { TenantCommand } from './tenant/tenant.command';
import { ResourceCommand, RESOURCE_COMMANDS } from './resource/resource.command';
import { TenantCreateCommand } from './tenant/tenant-create.command';
import { TenantDisableCommand } from './tenant/tenant-disable.command';
import { TenantListCommand } from './tenant/tenant-list.command';
import { CliContract } from './usage';
import { AdminCommand, ADMIN_COMMANDS } from './admin/admin.command';
import { MAPPING_COMMANDS } from './issuer/mapping/mapping.command';

/** Commands open the database themselves, only when they need it (keys generate does not). */
@Module({
  providers: [
    CliContract,
    ClientCommand,
    ...CLIENT_COMMANDS,
    TokenCommand,
    ...TOKEN_COMMANDS,
    DenylistCommand,
    DenylistPruneCommand,
    AuditCommand,
    AuditTailCommand,
    IssuerCommand,
    ...ISSUER_COMMANDS,
    ...MAPPING_COMMANDS,
    KeysCommand,
    ...KEYS_COMMANDS,
    MigrateCommand,
    ResourceCommand,
    ...RESOURCE_COMMANDS,
    TenantCommand,
    TenantCreateCommand,
    TenantListCommand,
    TenantDisableCommand,
    AdminCommand,
    ...ADMIN_COMMANDS,
  ],
})
export class CliModule {}
