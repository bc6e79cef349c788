import { Global, Module } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import { overTransactions } from '../postgres/providers';
import { TypeOrmAuditLog } from './typeorm-audit-log.adapter';

/** Binds DI.AuditLog to the RLS-scoped audit_events table. */
@Global()
@Module({
  providers: [overTransactions(DI.AuditLog, TypeOrmAuditLog)],
  exports: [DI.AuditLog],
})
export class AuditModule {}
