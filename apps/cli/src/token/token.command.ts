import { Command, CommandRunner } from 'nest-commander';
import { TokenMintCommand } from './token-mint.command';
import { TokenRevokeCommand } from './token-revoke.command';

export const TOKEN_COMMANDS = [TokenMintCommand, TokenRevokeCommand];

@Command({ name: 'token', description: 'access and refresh tokens', subCommands: TOKEN_COMMANDS })
export class TokenCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
