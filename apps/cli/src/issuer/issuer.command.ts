import { Command } from 'nest-commander';
import { CommandGroup } from '../options';
import { IssuerAddCommand } from './issuer-add.command';
import { IssuerListCommand } from './issuer-list.command';
import { IssuerRemoveCommand } from './issuer-remove.command';
import { IssuerMappingCommand } from './mapping/mapping.command';

export const ISSUER_COMMANDS = [IssuerAddCommand, IssuerListCommand, IssuerRemoveCommand];

@Command({
  name: 'issuer',
  description: 'external OIDC issuers trusted for token exchange',
  subCommands: [...ISSUER_COMMANDS, IssuerMappingCommand],
})
export class IssuerCommand extends CommandGroup {}
