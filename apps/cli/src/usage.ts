import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Command } from 'commander';
import { InjectCommander } from 'nest-commander';
import { usageError } from './options';

/** A usage error, from commander or from us: one line on stderr, exit 2. */
export const USAGE_EXIT = 2;

/** --help printed what was asked for (exit 0); anything else commander reported is usage. */
export function onCommanderExit(e: Error): never {
  process.exit((e as { exitCode?: number }).exitCode === 0 ? 0 : USAGE_EXIT);
}

/** Commander's "error: …" (sometimes with a suggestion on a second line) as one line. */
export function oneLine(message: string): string {
  return `tessera: ${message
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim()}\n`;
}

/**
 * Holds commander to the CLI contract on every command of the tree: nest-commander builds
 * subcommands with `new Command()` and `addCommand`, which inherit neither the exit override
 * nor the output settings, and commander accepts excess arguments by default.
 */
export function holdToContract(cmd: Command): void {
  cmd.exitOverride(onCommanderExit).configureOutput({
    outputError: (message, write) => write(oneLine(message)),
  });
  // A group reports an unknown word or a lone --json itself (CommandGroup), in one line.
  if (cmd.commands.length) cmd.allowUnknownOption();
  else cmd.allowExcessArguments(false);
  for (const sub of cmd.commands) holdToContract(sub);
}

/** Applies the contract once nest-commander has built the command tree. */
@Injectable()
export class CliContract implements OnApplicationBootstrap {
  constructor(@InjectCommander() private readonly root: Command) {}

  onApplicationBootstrap(): void {
    const root = this.root;
    root.name('tessera');
    root.action(() => {
      throw usageError('tessera', root.commands, root.args);
    });
    holdToContract(root);
  }
}
