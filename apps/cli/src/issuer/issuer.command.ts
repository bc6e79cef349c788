import { Command, CommandRunner } from 'nest-commander';
import { IssuerAddCommand } from './issuer-add.command';
import { IssuerListCommand } from './issuer-list.command';
import { IssuerRemoveCommand } from './issuer-remove.command';

export const ISSUER_COMMANDS = [IssuerAddCommand, IssuerListCommand, IssuerRemoveCommand];

@Command({
  name: 'issuer',
  description: 'external OIDC issuers trusted for token exchange',
  subCommands: ISSUER_COMMANDS,
})
export class IssuerCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
