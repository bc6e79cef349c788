import { Command } from 'nest-commander';
import { CommandGroup } from '../options';
import { TokenMintCommand } from './token-mint.command';
import { TokenRevokeCommand } from './token-revoke.command';

export const TOKEN_COMMANDS = [TokenMintCommand, TokenRevokeCommand];

@Command({ name: 'token', description: 'access and refresh tokens', subCommands: TOKEN_COMMANDS })
export class TokenCommand extends CommandGroup {}
