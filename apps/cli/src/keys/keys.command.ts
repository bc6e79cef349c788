import { Command, CommandRunner } from 'nest-commander';
import { KeysGenerateCommand } from './keys-generate.command';
import { KeysListCommand } from './keys-list.command';
import { KeysRetireCommand } from './keys-retire.command';
import { KeysRotateCommand } from './keys-rotate.command';

export const KEYS_COMMANDS = [
  KeysGenerateCommand,
  KeysListCommand,
  KeysRotateCommand,
  KeysRetireCommand,
];

@Command({
  name: 'keys',
  description: 'signing keys',
  subCommands: KEYS_COMMANDS,
})
export class KeysCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
