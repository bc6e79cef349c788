import { Command, SubCommand } from 'nest-commander';
import { CommandGroup } from '../options';
import { AdminClientCreateCommand } from './admin-client-create.command';

@SubCommand({
  name: 'client',
  description: 'platform clients',
  subCommands: [AdminClientCreateCommand],
})
export class AdminClientCommand extends CommandGroup {}

export const ADMIN_COMMANDS = [AdminClientCommand, AdminClientCreateCommand];

@Command({
  name: 'admin',
  description: 'the platform: clients that manage tenants (management API)',
  subCommands: [AdminClientCommand],
})
export class AdminCommand extends CommandGroup {}
