import { CommandRunner, Option } from 'nest-commander';
import { CliError } from './output';

/*
 * Options every command shares, declared once. nest-commander finds @Option methods through
 * the prototype chain and keys them by the concrete class, so a subclass inherits them.
 */

/** A command that prints one JSON object with --json (ARCHITECTURE.md, CLI contract). */
export abstract class JsonCommand extends CommandRunner {
  @Option({ flags: '--json', description: 'print one JSON object' })
  parseJson(): boolean {
    return true;
  }
}

/** The flags every `TenantScopedCommand` receives. */
export interface TenantFlags {
  tenant?: string;
  json?: boolean;
}

/** A command about one tenant, named by its slug. */
export abstract class TenantScopedCommand extends JsonCommand {
  @Option({ flags: '--tenant <slug>', required: true, description: 'the tenant' })
  parseTenant(v: string): string {
    return v;
  }
}

/** A command that only groups subcommands: called alone, a one-line usage error. */
export abstract class CommandGroup extends CommandRunner {
  async run(args: string[]): Promise<void> {
    throw usageError(this.command.name(), this.command.commands, args);
  }
}

/** An unknown word, or no subcommand at all, under `name`. */
export function usageError(
  name: string,
  subcommands: readonly { name(): string }[],
  args: readonly string[],
): CliError {
  const names = subcommands.map((c) => c.name()).join(', ');
  const word = args[0];
  if (word && !word.startsWith('-')) {
    return new CliError(`unknown command '${word.slice(0, 64)}' (${name}: ${names})`);
  }
  return name === 'tessera'
    ? new CliError(`name a command: ${names} (see --help)`)
    : new CliError(`${name} needs a subcommand: ${names} (see ${name} --help)`);
}
