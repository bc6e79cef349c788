import { DataSource, type DataSourceOptions } from 'typeorm';
import { SCHEMA } from './provision';
import { ENTITIES } from './entities';
import { MIGRATIONS } from '../../../migrations';

export interface DataSourceSpec {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Migrations grant table privileges to this role (else the database's tessera.app_role). */
  appRole?: string;
}

/** A role name safe to pass in a libpq startup option without quoting. */
const PLAIN_ROLE = /^[A-Za-z0-9_.$-]{1,63}$/;

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
      options: [
        `-c search_path=${SCHEMA}`,
        ...(spec.appRole && PLAIN_ROLE.test(spec.appRole)
          ? [`-c tessera.app_role=${spec.appRole}`]
          : []),
      ].join(' '),
      connectionTimeoutMillis: 5000,
      statement_timeout: 10000,
      idle_in_transaction_session_timeout: 15000,
    },
  };
}

export const createDataSource = (spec: DataSourceSpec) => new DataSource(dataSourceOptions(spec));

/** The login role of a connection URL (the app role, when given DATABASE_URL). */
export const roleOf = (url: string): string | undefined =>
  decodeURIComponent(new URL(url).username) || undefined;

/**
 * Runs pending migrations as the owner role and closes that connection. `appUrl` names the role
 * that must get table privileges; without it the database setting tessera.app_role (set by
 * provisioning) or `tessera_app` is used.
 */
export async function runMigrations(ownerUrl: string, appUrl?: string): Promise<string[]> {
  const ds = createDataSource({
    url: ownerUrl,
    poolSize: 1,
    applicationName: 'tessera-migrate',
    appRole: appUrl ? roleOf(appUrl) : undefined,
  });
  await ds.initialize();
  try {
    // A server and the CLI may start together: the second waits, then finds nothing pending.
    // Session-level lock on the pool's only connection; it dies with the connection.
    await ds.query('SELECT pg_advisory_lock(hashtext($1))', ['tessera:migrations']);
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
