import { Command } from 'nest-commander';
import { CommandGroup } from '../options';
import { TenantCreateCommand } from './tenant-create.command';
import { TenantDisableCommand } from './tenant-disable.command';
import { TenantListCommand } from './tenant-list.command';

@Command({
  name: 'tenant',
  description: 'tenants',
  subCommands: [TenantCreateCommand, TenantListCommand, TenantDisableCommand],
})
export class TenantCommand extends CommandGroup {}
