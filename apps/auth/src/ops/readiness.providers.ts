import type { Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { PostgresDenylist } from '@tessera/infrastructure/denylist/postgres-denylist.adapter';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness';

/**
 * Ready means: Redis answers (when configured) and the denylist replica is current. A node
 * whose replica has not synced for several intervals could accept a revoked token.
 */
export const readinessProviders: Provider[] = [
  {
    provide: READINESS_CHECKS,
    inject: [APP_CONFIG, DI.Denylist, { token: DI.Redis, optional: true }],
    useFactory: (
      cfg: AppConfig,
      denylist: PostgresDenylist,
      redis?: Redis | null,
    ): ReadinessCheck[] => {
      const checks: ReadinessCheck[] = [];
      if (redis) {
        checks.push(async (indicator) => {
          const redisCheck = indicator.check('redis');
          try {
            return (await redis.ping()) === 'PONG' ? redisCheck.up() : redisCheck.down();
          } catch {
            return redisCheck.down({ message: 'unreachable' });
          }
        });
      }
      checks.push(async (indicator) => {
        const d = indicator.check('denylist');
        const synced = denylist.lastSyncedAt();
        const staleAfterMs = Math.max(5 * cfg.denylist.syncInterval * 1000, 10_000);
        return synced && Date.now() - synced.getTime() < staleAfterMs
          ? d.up({ entries: denylist.size() })
          : d.down({ message: 'denylist replica is stale' });
      });
      return checks;
    },
  },
];
