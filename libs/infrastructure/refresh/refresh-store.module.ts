import { Global, Logger, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { DI } from '@tessera/application/di-tokens';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import { systemClock, type Clock } from '@tessera/domain/shared/clock.port';
import { MemoryRefreshStore } from './memory-refresh-store.adapter';
import { RedisRefreshStore } from './redis-refresh-store.adapter';

/**
 * DI.RefreshStore: Redis when REDIS_URL is set (DI.Redis, from the global RedisModule), else
 * the in-process store, which is correct only while a single node serves refresh grants.
 * Global, like the stores it chooses between: use cases in other modules inject the port.
 */
@Global()
@Module({
  providers: [
    {
      provide: DI.RefreshStore,
      inject: [
        { token: DI.Redis, optional: true },
        { token: DI.Clock, optional: true },
      ],
      useFactory: (redis?: Redis | null, clock?: Clock): RefreshStore => {
        if (redis) return new RedisRefreshStore(redis, clock ?? systemClock);
        new Logger('RefreshStore').warn('refresh tokens held in memory: single node only');
        return new MemoryRefreshStore(clock ?? systemClock);
      },
    },
  ],
  exports: [DI.RefreshStore],
})
export class RefreshStoreModule {}
