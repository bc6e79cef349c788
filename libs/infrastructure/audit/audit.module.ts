import { Global, Module } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import type { TenantTransactions } from '../postgres/tenant-transaction';
import { TypeOrmAuditLog } from './typeorm-audit-log.adapter';

/** Binds DI.AuditLog to the RLS-scoped audit_events table. */
@Global()
@Module({
  providers: [
    {
      provide: DI.AuditLog,
      inject: [DI.TenantTransactions],
      useFactory: (tx: TenantTransactions) => new TypeOrmAuditLog(tx),
    },
  ],
  exports: [DI.AuditLog],
})
export class AuditModule {}
