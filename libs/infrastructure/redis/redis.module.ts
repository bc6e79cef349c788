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
import { redisOptions } from './redis-options';

/**
 * Refuses (production) or warns (dev) when Redis may evict: eviction drops revocations and
 * consumed-token markers. Managed Redis often disables CONFIG: then the policy cannot be read,
 * and production starts only if REDIS_EVICTION_POLICY_CHECKED says an operator checked it.
 */
export async function checkEvictionPolicy(
  redis: Pick<Redis, 'config'>,
  cfg: Pick<AppConfig, 'production' | 'redis'>,
  log: Pick<Logger, 'warn' | 'log'>,
): Promise<void> {
  const reply = (await redis.config('GET', 'maxmemory-policy').catch(() => [])) as unknown;
  const policy = Array.isArray(reply) ? (reply as unknown[])[1] : undefined;
  if (policy === 'noeviction') return;
  if (typeof policy !== 'string') {
    if (cfg.redis.evictionPolicyChecked) {
      log.log('Redis hides its maxmemory-policy; REDIS_EVICTION_POLICY_CHECKED: checked by hand');
      return;
    }
    const detail =
      'must be true when Redis does not answer CONFIG GET maxmemory-policy (managed Redis often disables CONFIG): confirm the policy is noeviction by hand, then set it';
    if (cfg.production) throw new ConfigError('REDIS_EVICTION_POLICY_CHECKED', detail);
    log.warn(`REDIS_EVICTION_POLICY_CHECKED ${detail}`);
    return;
  }
  const msg = `maxmemory-policy is "${policy.slice(0, 40)}": set it to noeviction, or consumed refresh tokens may be evicted and replayed`;
  if (cfg.production) throw new ConfigError('REDIS_URL', msg);
  log.warn(`Redis ${msg}`);
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
        const redis = new Redis(cfg.redis.url, redisOptions('server'));
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
