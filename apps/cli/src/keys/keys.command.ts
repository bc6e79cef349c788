import { Command, CommandRunner } from 'nest-commander';
import { KeysGenerateCommand } from './keys-generate.command';
import { KeysListCommand } from './keys-list.command';

@Command({
  name: 'keys',
  description: 'signing keys',
  subCommands: [KeysGenerateCommand, KeysListCommand],
})
export class KeysCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
