import { Global, Inject, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import { RESOLVED_DATABASE } from '../postgres/database.module';
import type { ResolvedDatabase } from '../postgres/database-resolver';
import type { TenantTransactions } from '../postgres/tenant-transaction';
import { PostgresDenylist } from './postgres-denylist.adapter';
import { PostgresDenylistChannel } from './postgres-denylist-channel';
import { RedisDenylistChannel } from './redis-denylist-channel';

/**
 * The denylist over Redis pub/sub when there is Redis, over LISTEN/NOTIFY when there is not.
 * Without start() it only writes (deny, prune): enough for a one-shot CLI command.
 */
export function createDenylist(deps: {
  tx: TenantTransactions;
  redis: Redis | null;
  appUrl: string;
  cfg: AppConfig;
  warn: (message: string) => void;
}): PostgresDenylist {
  const channel = deps.redis
    ? new RedisDenylistChannel(deps.redis, deps.warn)
    : new PostgresDenylistChannel(deps.appUrl, deps.warn);
  return new PostgresDenylist({
    tx: deps.tx,
    channel,
    syncIntervalMs: deps.cfg.denylist.syncInterval * 1000,
    leewayMs: deps.cfg.tokens.leeway * 1000,
    warn: deps.warn,
  });
}

class DenylistLifecycle implements OnModuleDestroy {
  constructor(@Inject(DI.Denylist) private readonly denylist: PostgresDenylist) {}
  onModuleDestroy(): Promise<void> {
    return this.denylist.stop();
  }
}

/**
 * DI.Denylist, loaded before anything can inject it: a node never answers with a replica that
 * has not read Postgres yet. Global, so use cases in any module inject the port; needs the
 * global DatabaseModule, TenancyModule and (optionally) RedisModule.
 */
@Global()
@Module({
  providers: [
    {
      provide: DI.Denylist,
      inject: [
        DI.TenantTransactions,
        RESOLVED_DATABASE,
        APP_CONFIG,
        { token: DI.Redis, optional: true },
      ],
      useFactory: async (
        tx: TenantTransactions,
        db: ResolvedDatabase,
        cfg: AppConfig,
        redis?: Redis | null,
      ): Promise<PostgresDenylist> => {
        const log = new Logger('Denylist');
        const denylist = createDenylist({
          tx,
          redis: redis ?? null,
          appUrl: db.appUrl,
          cfg,
          warn: (m) => log.warn(m),
        });
        await denylist.start();
        return denylist;
      },
    },
    DenylistLifecycle,
  ],
  exports: [DI.Denylist],
})
export class DenylistModule {}
