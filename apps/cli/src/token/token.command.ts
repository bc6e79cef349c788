import { Command } from 'nest-commander';
import { CommandGroup } from '../options';
import { TokenMintCommand } from './token-mint.command';
import { TokenRevokeCommand } from './token-revoke.command';
import { TokenStatsCommand } from './token-stats.command';
import { TokenPruneCommand } from './token-prune.command';

export const TOKEN_COMMANDS = [
  TokenMintCommand,
  TokenRevokeCommand,
  TokenStatsCommand,
  TokenPruneCommand,
];

@Command({ name: 'token', description: 'access and refresh tokens', subCommands: TOKEN_COMMANDS })
export class TokenCommand extends CommandGroup {}
