import { DomainError } from '@tessera/domain/shared/domain-error';

/** Every command prints one JSON object with --json, a readable line otherwise. */
export function emit(json: boolean, value: object, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

/** A usage or domain error: one line on stderr, non-zero exit, no stack. */
export class CliError extends Error {}

export function fail(e: unknown): never {
  const msg =
    e instanceof DomainError
      ? e.description
      : e instanceof Error &&
          (e.name === 'CliError' ||
            e.name === 'KeyConfigError' ||
            e.name === 'ConfigError' ||
            e instanceof CliError)
        ? e.message
        : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
  process.stderr.write(`tessera: ${msg.split('\n')[0]}\n`);
  process.exit(e instanceof CliError || e instanceof DomainError ? 2 : 1);
}
