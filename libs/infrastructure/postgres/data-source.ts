import { DataSource, type DataSourceOptions } from 'typeorm';
import { SCHEMA } from './provision';
import { ENTITIES } from './entities';
import { MIGRATIONS } from '../../../migrations';

export interface DataSourceSpec {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/** One shape for the app's pool and the owner's migration connection. */
export function dataSourceOptions(spec: DataSourceSpec): DataSourceOptions {
  return {
    type: 'postgres',
    url: spec.url,
    schema: SCHEMA,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    applicationName: spec.applicationName ?? 'tessera',
    extra: {
      max: spec.poolSize ?? 10,
      options: `-c search_path=${SCHEMA}`,
      connectionTimeoutMillis: 5000,
      statement_timeout: 10000,
      idle_in_transaction_session_timeout: 15000,
    },
  };
}

export const createDataSource = (spec: DataSourceSpec) => new DataSource(dataSourceOptions(spec));

/** Runs pending migrations as the owner role and closes that connection. */
export async function runMigrations(ownerUrl: string): Promise<string[]> {
  const ds = createDataSource({ url: ownerUrl, poolSize: 1, applicationName: 'tessera-migrate' });
  await ds.initialize();
  try {
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
