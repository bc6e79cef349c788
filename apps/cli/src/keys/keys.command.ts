import { Command } from 'nest-commander';
import { CommandGroup } from '../options';
import { KeysGenerateCommand } from './keys-generate.command';
import { KeysListCommand } from './keys-list.command';
import { KeysRetireCommand } from './keys-retire.command';
import { KeysRotateCommand } from './keys-rotate.command';
import { KeysRevokeCommand } from './keys-revoke.command';
import { KeysAnchorCommand } from './keys-anchor.command';

export const KEYS_COMMANDS = [
  KeysGenerateCommand,
  KeysListCommand,
  KeysRotateCommand,
  KeysRetireCommand,
  KeysRevokeCommand,
  KeysAnchorCommand,
];

@Command({
  name: 'keys',
  description: 'signing keys',
  subCommands: KEYS_COMMANDS,
})
export class KeysCommand extends CommandGroup {}
