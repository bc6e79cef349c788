import type { DataSource } from 'typeorm';
import { createDataSource } from '@tessera/infrastructure/postgres/data-source';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import type { TestDatabase } from './test-database';

/** The app role's DataSource on a test database, initialized, and tenant transactions over it. */
export async function openAppDataSource(
  db: TestDatabase,
  poolSize: number,
): Promise<{ ds: DataSource; tx: TenantTransactions }> {
  const ds = createDataSource({ url: db.appUrl, poolSize });
  await ds.initialize();
  return { ds, tx: new TenantTransactions(ds) };
}
