import { Module } from '@nestjs/common';
import { ClientCommand, CLIENT_COMMANDS } from './client/client.command';
import { DenylistCommand, DenylistPruneCommand } from './denylist/denylist.command';
import { AuditCommand } from './audit/audit.command';
import { AuditTailCommand } from './audit/audit-tail.command';
import { KeysCommand } from './keys/keys.command';
import { TokenCommand, TOKEN_COMMANDS } from './token/token.command';
import { KeysGenerateCommand } from './keys/keys-generate.command';
import { KeysListCommand } from './keys/keys-list.command';
import { MigrateCommand } from './migrate/migrate.command';
import { TenantCommand } from './tenant/tenant.command';
import { TenantCreateCommand } from './tenant/tenant-create.command';
import { TenantDisableCommand } from './tenant/tenant-disable.command';
import { TenantListCommand } from './tenant/tenant-list.command';

/** Commands open the database themselves, only when they need it (keys generate does not). */
@Module({
  providers: [
    ClientCommand,
    ...CLIENT_COMMANDS,
    TokenCommand,
    ...TOKEN_COMMANDS,
    DenylistCommand,
    DenylistPruneCommand,
    AuditCommand,
    AuditTailCommand,
    KeysCommand,
    KeysGenerateCommand,
    KeysListCommand,
    MigrateCommand,
    TenantCommand,
    TenantCreateCommand,
    TenantListCommand,
    TenantDisableCommand,
  ],
})
export class CliModule {}
