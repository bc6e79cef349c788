import { Global, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { SessionStore } from '@tessera/application/session/session-store.port';
import { MemorySessionStore } from './memory-session-store';
import { RedisSessionStore } from './redis-session-store';

/** DI.SessionStore: Redis when DI.Redis is a client, memory (single node) when it is null. */
@Global()
@Module({
  providers: [
    {
      provide: DI.SessionStore,
      inject: [APP_CONFIG, { token: DI.Redis, optional: true }],
      useFactory: (cfg: AppConfig, redis?: Redis | null): SessionStore =>
        redis ? new RedisSessionStore(redis, cfg.session) : new MemorySessionStore(cfg.session),
    },
  ],
  exports: [DI.SessionStore],
})
export class SessionStoreModule {}
