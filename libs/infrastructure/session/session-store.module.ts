import { Global, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { SessionStore } from '@tessera/application/session/session-store.port';
import type { ReplayGuard } from '@tessera/application/sign-in/logout-token.port';
import { MemoryReplayGuard } from './memory-replay-guard';
import { MemorySessionStore } from './memory-session-store';
import { RedisReplayGuard } from './redis-replay-guard';
import { RedisSessionStore } from './redis-session-store';

/**
 * DI.SessionStore and DI.ReplayGuard: Redis when DI.Redis is a client, memory (single node)
 * when it is null.
 */
@Global()
@Module({
  providers: [
    {
      provide: DI.SessionStore,
      inject: [APP_CONFIG, { token: DI.Redis, optional: true }],
      useFactory: (cfg: AppConfig, redis?: Redis | null): SessionStore =>
        redis ? new RedisSessionStore(redis, cfg.session) : new MemorySessionStore(cfg.session),
    },
    {
      provide: DI.ReplayGuard,
      inject: [{ token: DI.Redis, optional: true }],
      useFactory: (redis?: Redis | null): ReplayGuard =>
        redis ? new RedisReplayGuard(redis) : new MemoryReplayGuard(),
    },
  ],
  exports: [DI.SessionStore, DI.ReplayGuard],
})
export class SessionStoreModule {}
