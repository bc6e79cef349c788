import {
  Global,
  Inject,
  Logger,
  Module,
  Optional,
  type OnApplicationShutdown,
} from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, ConfigError, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';

/** Refuses (production) or warns (dev) when Redis may evict: eviction drops revocations. */
async function checkEvictionPolicy(redis: Redis, cfg: AppConfig, log: Logger): Promise<void> {
  const [, policy] = (await redis.config('GET', 'maxmemory-policy').catch(() => [])) as string[];
  if (policy === undefined || policy === 'noeviction') return;
  const msg = `Redis maxmemory-policy is "${policy}": set it to noeviction, or consumed refresh tokens may be evicted and replayed`;
  // A ConfigError: production stops with this one line, not a stack trace.
  if (cfg.production) throw new ConfigError('REDIS_URL', `points at a ${msg}`);
  log.warn(msg);
}

class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Optional() @Inject(DI.Redis) private readonly redis: Redis | null) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

/**
 * DI.Redis is an ioredis client when REDIS_URL is set, null otherwise (single node, memory
 * stores). Commands fail fast while Redis is down (no offline queue) so callers answer 503.
 */
@Global()
@Module({
  providers: [
    {
      provide: DI.Redis,
      inject: [APP_CONFIG],
      useFactory: async (cfg: AppConfig): Promise<Redis | null> => {
        const log = new Logger('Redis');
        if (!cfg.redis.url) {
          log.warn('REDIS_URL unset: in-memory stores, single node only');
          return null;
        }
        const redis = new Redis(cfg.redis.url, {
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          // A hung (not dead) Redis must also turn into a quick 503, not a hanging request.
          commandTimeout: 1000,
          connectTimeout: 2000,
          retryStrategy: (times) => Math.min(times * 100, 2000),
        });
        redis.on('error', (e: Error) => log.warn(`redis: ${e.message}`));
        await redis.connect();
        await checkEvictionPolicy(redis, cfg, log);
        return redis;
      },
    },
    RedisLifecycle,
  ],
  exports: [DI.Redis],
})
export class RedisModule {}
