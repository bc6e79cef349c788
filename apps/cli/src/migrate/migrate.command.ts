import { Command } from 'nest-commander';
import { JsonCommand } from '../options';
import { runMigrations } from '@tessera/infrastructure/postgres/data-source';
import { withResolvedDatabase } from '../wiring/cli-database';
import { CliError, emit } from '../output';

/** Applies pending migrations as the owner (DATABASE_ADMIN_URL); the only path in production. */
@Command({ name: 'migrate', description: 'apply pending database migrations (as the owner role)' })
export class MigrateCommand extends JsonCommand {
  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const applied = await withResolvedDatabase(async (db) => {
      if (!db.ownerUrl) {
        throw new CliError('DATABASE_ADMIN_URL is required to migrate (the owner role runs them)');
      }
      return runMigrations(db.ownerUrl, db.appUrl);
    });
    emit(
      Boolean(flags.json),
      { applied },
      applied.length ? `applied ${applied.join(', ')}` : 'database is up to date',
    );
  }
}
