import type { DataSource } from 'typeorm';
import type { SchedulePolicy } from '@tessera/domain/keys/key-schedule';
import type { TenantTransactions } from '../postgres/tenant-transaction';
import { TypeOrmSigningKeys, type KeyTable } from './typeorm-signing-keys.adapter';

/** One tenant's rows of tenant_signing_keys: every statement in a transaction RLS scopes to it. */
export const tenantKeyTable = (tx: TenantTransactions, tenantId: string): KeyTable => ({
  table: 'tessera.tenant_signing_keys',
  lockKey: `tessera:tenant_signing_keys:${tenantId}`,
  tenantScoped: true,
  scope: `tenant_id = current_setting('app.tenant_id', true)`,
  transaction: (fn) => tx.run(fn, tenantId),
  read: (fn) => tx.run(fn, tenantId),
});

export const tenantKeyStore = (
  ds: DataSource,
  tx: TenantTransactions,
  policy: SchedulePolicy,
  tenantId: string,
) => new TypeOrmSigningKeys(ds, policy, tenantKeyTable(tx, tenantId));
