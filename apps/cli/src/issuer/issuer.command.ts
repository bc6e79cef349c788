import { Command } from 'nest-commander';
import { CommandGroup } from '../options';
import { IssuerAddCommand } from './issuer-add.command';
import { IssuerListCommand } from './issuer-list.command';
import { IssuerRemoveCommand } from './issuer-remove.command';

export const ISSUER_COMMANDS = [IssuerAddCommand, IssuerListCommand, IssuerRemoveCommand];

@Command({
  name: 'issuer',
  description: 'external OIDC issuers trusted for token exchange',
  subCommands: ISSUER_COMMANDS,
})
export class IssuerCommand extends CommandGroup {}
