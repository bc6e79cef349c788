import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '@tessera/config';
import type { MembershipRepository } from '@tessera/application/tenant/membership-repository.port';
import type { TenantDirectory } from '@tessera/application/tenant/tenant-directory.port';
import type { UserRepository } from '@tessera/application/tenant/user-repository.port';
import { createDataSource, runMigrations } from '@tessera/infrastructure/postgres/data-source';
import {
  resolveDatabase,
  type ResolvedDatabase,
} from '@tessera/infrastructure/postgres/database-resolver';
import { TypeOrmMembershipRepository } from '@tessera/infrastructure/postgres/repositories/typeorm-membership-repository.adapter';
import { TypeOrmTenantDirectory } from '@tessera/infrastructure/postgres/repositories/typeorm-tenant-directory.adapter';
import { TypeOrmUserRepository } from '@tessera/infrastructure/postgres/repositories/typeorm-user-repository.adapter';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';

/**
 * The database for one CLI command, found the way the server finds it:
 *   - DATABASE_URL (+ DATABASE_ADMIN_URL for migrations): an existing Postgres;
 *   - otherwise the embedded cluster under DATA_DIR: joined when a running server started it
 *     (.data/postgres.json), else started here and stopped when the command ends.
 *
 * Usage (every command one transaction: use `tx.run(fn, tenantId)` or
 * `tx.crossTenant(purpose, fn)`, or one repository call):
 *
 *   await withCliDatabase(async ({ tenants, tx, dataSource, cfg }) => {
 *     const t = await tenants.bySlug(slug);
 *     ...
 *   });
 *
 * `dataSource` connects as the app role (RLS binds it). Pending migrations run first when the
 * server would run them (embedded cluster, or MIGRATIONS_RUN=auto with an admin URL).
 * Nothing is written to stdout: progress and warnings go to stderr, so `--json` output stays
 * one JSON object.
 */
export interface CliDatabase {
  cfg: AppConfig;
  /** The app role's URL (the denylist's LISTEN/NOTIFY channel needs its own connection). */
  appUrl: string;
  dataSource: DataSource;
  tx: TenantTransactions;
  tenants: TenantDirectory;
  users: UserRepository;
  memberships: MembershipRepository;
}

const warn = (line: string) => process.stderr.write(`tessera: ${line}\n`);

/** The resolved database (URLs, embedded cluster) without a pool: for `migrate`. */
export async function withResolvedDatabase<T>(
  fn: (db: ResolvedDatabase, cfg: AppConfig) => Promise<T>,
): Promise<T> {
  const cfg = loadConfig(process.env);
  const db = await resolveDatabase(cfg, warn);
  try {
    return await fn(db, cfg);
  } finally {
    if (db.embedded?.owned) await db.embedded.stop().catch(() => undefined);
  }
}

export function withCliDatabase<T>(fn: (db: CliDatabase) => Promise<T>): Promise<T> {
  return withResolvedDatabase(async (resolved, cfg) => {
    if ((resolved.embedded || cfg.database.runMigrations) && resolved.ownerUrl) {
      await runMigrations(resolved.ownerUrl, resolved.appUrl);
    }
    const dataSource = createDataSource({
      url: resolved.appUrl,
      poolSize: 2,
      applicationName: 'tessera-cli',
    });
    await dataSource.initialize();
    try {
      const tx = new TenantTransactions(dataSource);
      return await fn({
        cfg,
        appUrl: resolved.appUrl,
        dataSource,
        tx,
        tenants: new TypeOrmTenantDirectory(tx),
        users: new TypeOrmUserRepository(tx),
        memberships: new TypeOrmMembershipRepository(tx),
      });
    } finally {
      await dataSource.destroy();
    }
  });
}
