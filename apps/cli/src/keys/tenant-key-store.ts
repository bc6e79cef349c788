import { TenantKeys, tenantKeyOptions } from '@tessera/infrastructure/crypto/tenant-keys';
import type { Tenant } from '@tessera/domain/tenant/tenant';
import { withCliDatabase, type CliDatabase } from '../wiring/cli-database';
import { cliAuditLog } from '../wiring/cli-audit';
import { tenantBySlug } from '../wiring/tenant-flag';
import { CliError } from '../output';

const stderrLog = {
  log: () => undefined,
  warn: (line: string) => process.stderr.write(`tessera: ${line}\n`),
};

/** Tenant keys are sealed under KEY_ENCRYPTION_SECRET, like the database key store's. */
export const cliTenantKeys = (db: CliDatabase): TenantKeys => {
  if (!db.cfg.keys.encryptionSecret) {
    throw new CliError(
      'tenant keys are sealed in the database: set KEY_ENCRYPTION_SECRET (the servers’ own)',
    );
  }
  return new TenantKeys(db.dataSource, db.tx, undefined, tenantKeyOptions(db.cfg, stderrLog));
};

/** One command about one tenant's keys (`--tenant <slug>`). */
export function withTenantKeys<T>(
  slug: string,
  fn: (keys: TenantKeys, tenant: Tenant, db: CliDatabase) => Promise<T>,
): Promise<T> {
  return withCliDatabase(async (db) => {
    const keys = cliTenantKeys(db);
    return fn(keys, await tenantBySlug(db, slug), db);
  });
}

/** Tenant key events land in that tenant's audit trail. */
export const auditTenantKeyEvent = (
  db: CliDatabase,
  tenantId: string,
  action: 'key.rotate' | 'key.retire' | 'key.revoke',
  kid: string,
  details: Record<string, string | number>,
) => cliAuditLog(db).record({ tenantId, actor: 'cli', action, target: kid, details });
