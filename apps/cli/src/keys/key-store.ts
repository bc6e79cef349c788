import {
  usesDatabaseKeys,
  databaseKeyOptions,
  type DatabaseKeyOptions,
} from '@tessera/infrastructure/crypto/database-key-ring';
import { loadConfig } from '@tessera/config';
import { withCliDatabase, type CliDatabase } from '../wiring/cli-database';
import { cliAuditLog } from '../wiring/cli-audit';
import { CliError } from '../output';

const stderrLog = {
  log: () => undefined,
  warn: (line: string) => process.stderr.write(`tessera: ${line}\n`),
};

/** The database key store for one command; file keys (SIGNING_KEYS_DIR) are refused clearly. */
export function withKeyStore<T>(
  command: string,
  fn: (db: CliDatabase, opts: DatabaseKeyOptions) => Promise<T>,
): Promise<T> {
  if (!usesDatabaseKeys(loadConfig(process.env))) {
    throw new CliError(
      `keys ${command} manages the database key store: set KEY_ENCRYPTION_SECRET and unset SIGNING_KEYS_DIR (file keys rotate through keys.json, see docs/keys.md)`,
    );
  }
  return withCliDatabase((db) => fn(db, databaseKeyOptions(db.cfg, stderrLog)));
}

/** Key events are global (no tenant): written on the cross-tenant path. */
export const auditKeyEvent = (
  db: CliDatabase,
  action: 'key.rotate' | 'key.retire',
  kid: string,
  details: Record<string, string>,
) => cliAuditLog(db).record({ tenantId: null, actor: 'cli', action, target: kid, details });
