import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, ConfigError, type AppConfig } from '@tessera/config';
import { DataSource } from 'typeorm';
import { appRoleProblems } from './app-role-check';
import { dataSourceOptions, runMigrations } from './data-source';
import { resolveDatabase, type ResolvedDatabase } from './database-resolver';

export const RESOLVED_DATABASE = Symbol('ResolvedDatabase');
const APP_ROLE_CHECK = Symbol('AppRoleCheck');

class EmbeddedLifecycle implements OnApplicationShutdown {
  constructor(@Inject(RESOLVED_DATABASE) private readonly db: ResolvedDatabase) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.db.embedded?.owned) await this.db.embedded.stop();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: RESOLVED_DATABASE,
      inject: [APP_CONFIG],
      useFactory: async (cfg: AppConfig): Promise<ResolvedDatabase> => {
        const log = new Logger('Database');
        const db = await resolveDatabase(cfg, (l) => log.warn(l));
        if (db.embedded) {
          log.warn(
            `embedded PostgreSQL on 127.0.0.1:${db.embedded.state.port} (DATABASE_URL unset): for development only`,
          );
        }
        // The embedded cluster is Tessera's own: its schema always follows the code. An external
        // database migrates at start only when asked (MIGRATIONS_RUN=auto, the non-production
        // default); otherwise through `tessera migrate`, never silently.
        if (db.embedded || cfg.database.runMigrations) {
          if (db.ownerUrl) {
            const ran = await runMigrations(db.ownerUrl, db.appUrl);
            if (ran.length) log.log(`migrations applied: ${ran.join(', ')}`);
          } else {
            log.warn(
              'DATABASE_ADMIN_URL unset: migrations not run (use `npm run -s cli -- migrate`)',
            );
          }
        }
        return db;
      },
    },
    EmbeddedLifecycle,
  ],
  exports: [RESOLVED_DATABASE],
})
class DatabaseBootstrapModule {}

/** The app's pool connects as the app role; migrations ran above as the owner. */
@Global()
@Module({
  imports: [
    DatabaseBootstrapModule,
    TypeOrmModule.forRootAsync({
      inject: [RESOLVED_DATABASE, APP_CONFIG],
      useFactory: (db: ResolvedDatabase, cfg: AppConfig) => ({
        ...dataSourceOptions({ url: db.appUrl, poolSize: cfg.database.poolSize }),
        retryAttempts: 2,
        retryDelay: 500,
      }),
    }),
  ],
  providers: [
    {
      // Refuses to serve over a role RLS does not bind; a warning outside production.
      provide: APP_ROLE_CHECK,
      inject: [DataSource, APP_CONFIG],
      useFactory: async (ds: DataSource, cfg: AppConfig): Promise<boolean> => {
        const [problem] = await appRoleProblems(ds);
        if (!problem) return true;
        const line = `connects as ${problem}: row-level security would not bind it (see docs/tenancy.md)`;
        if (cfg.production) throw new ConfigError('DATABASE_URL', line);
        new Logger('Database').warn(`DATABASE_URL ${line}`);
        return false;
      },
    },
  ],
  exports: [DatabaseBootstrapModule, TypeOrmModule],
})
export class DatabaseModule {}
