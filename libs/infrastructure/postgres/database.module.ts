import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { dataSourceOptions, runMigrations } from './data-source';
import { resolveDatabase, type ResolvedDatabase } from './database-resolver';

export const RESOLVED_DATABASE = Symbol('ResolvedDatabase');

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
        if (cfg.database.runMigrations) {
          if (db.ownerUrl) {
            const ran = await runMigrations(db.ownerUrl);
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
  exports: [DatabaseBootstrapModule, TypeOrmModule],
})
export class DatabaseModule {}
