import { Command } from 'nest-commander';
import { CommandGroup } from '../options';
import { ResourceCreateCommand } from './resource-create.command';
import { ResourceDisableCommand } from './resource-disable.command';
import { ResourceListCommand } from './resource-list.command';

export const RESOURCE_COMMANDS = [
  ResourceCreateCommand,
  ResourceListCommand,
  ResourceDisableCommand,
];

@Command({
  name: 'resource',
  description: 'resource servers: the APIs tokens are for (RFC 8707)',
  subCommands: RESOURCE_COMMANDS,
})
export class ResourceCommand extends CommandGroup {}
