import { Module } from '@nestjs/common';
import { KeysCommand } from './keys/keys.command';
import { KeysGenerateCommand } from './keys/keys-generate.command';
import { KeysListCommand } from './keys/keys-list.command';

/** Commands open the database themselves, only when they need it (keys generate does not). */
@Module({
  providers: [KeysCommand, KeysGenerateCommand, KeysListCommand],
})
export class CliModule {}
