import { SubCommand } from 'nest-commander';
import { CommandGroup } from '../../options';
import { MappingAddCommand } from './mapping-add.command';
import { MappingListCommand } from './mapping-list.command';
import { MappingRemoveCommand } from './mapping-remove.command';

@SubCommand({
  name: 'mapping',
  description: 'exchange rules of a trusted issuer: claims → scopes, role, extra claims',
  subCommands: [MappingAddCommand, MappingListCommand, MappingRemoveCommand],
})
export class IssuerMappingCommand extends CommandGroup {}

export const MAPPING_COMMANDS = [
  IssuerMappingCommand,
  MappingAddCommand,
  MappingListCommand,
  MappingRemoveCommand,
];
