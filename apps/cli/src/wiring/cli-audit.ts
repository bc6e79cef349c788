import type { AuditLog } from '@tessera/application/ports/audit-log.port';
import { TypeOrmAuditLog } from '@tessera/infrastructure/audit/typeorm-audit-log.adapter';
import type { CliDatabase } from './cli-database';

/** CLI actions are audited like the server's (actor "cli"). */
export function cliAuditLog(db: CliDatabase): AuditLog {
  return new TypeOrmAuditLog(db.tx);
}
