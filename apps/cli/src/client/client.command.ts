import { Command } from 'nest-commander';
import { CommandGroup } from '../options';
import { ClientCreateCommand } from './client-create.command';
import { ClientDisableCommand } from './client-disable.command';
import { ClientListCommand } from './client-list.command';
import { ClientRotateSecretCommand } from './client-rotate-secret.command';
import { ClientUpdateCommand } from './client-update.command';

export const CLIENT_COMMANDS = [
  ClientCreateCommand,
  ClientListCommand,
  ClientRotateSecretCommand,
  ClientDisableCommand,
  ClientUpdateCommand,
];

@Command({ name: 'client', description: 'service clients', subCommands: CLIENT_COMMANDS })
export class ClientCommand extends CommandGroup {}
