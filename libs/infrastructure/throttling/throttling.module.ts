import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  ThrottlerModule,
  ThrottlerStorageService,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import { FailOpenStorage } from './fail-open-storage';
import { RateLimitGuard } from './rate-limit.guard';
import { clientKey, counterKey, ipKey, matchedRoute, sessionKey } from './rate-limit-keys';

const req = (ctx: ExecutionContext) => ctx.switchToHttp().getRequest<Request>();
const isRoute = (method: string, route: string) => (ctx: ExecutionContext) => {
  const r = req(ctx);
  return r.method === method && matchedRoute(r) === route;
};
const isTokenRequest = isRoute('POST', '/oauth/token');
const mintsFromSession = [isRoute('POST', '/api/v1/tokens'), isRoute('POST', '/account/tokens')];
/** The API and the account page's form both mint from a session: one count covers both. */
const isSessionMint = (ctx: ExecutionContext) => mintsFromSession.some((m) => m(ctx));

/**
 * Three limits, counted in Redis when there is one (every node shares the count) and in memory
 * otherwise: every request per client address; token requests per client_id; session token
 * minting per session. Keys ignore the route so "per address" means across all routes.
 */
function throttlerOptions(cfg: AppConfig, redis: Redis | null): ThrottlerModuleOptions {
  const rl = cfg.rateLimit;
  const ttl = rl.windowSeconds * 1000;
  const generateKey = (_ctx: ExecutionContext, tracker: string, name: string) =>
    counterKey(name, tracker);
  return {
    storage: new FailOpenStorage(
      redis ? new ThrottlerStorageRedisService(redis) : new ThrottlerStorageService(),
    ),
    setHeaders: false,
    skipIf: () => !rl.enabled,
    generateKey,
    throttlers: [
      { name: 'anonymous', ttl, limit: rl.anonymous, getTracker: (r) => ipKey(r as Request) },
      {
        name: 'token',
        ttl,
        limit: rl.token,
        skipIf: (ctx) => !rl.enabled || !isTokenRequest(ctx),
        getTracker: (r) => clientKey(r as Request),
      },
      {
        name: 'session',
        ttl,
        limit: rl.sessionMint,
        skipIf: (ctx) => !rl.enabled || !isSessionMint(ctx),
        getTracker: (r) => sessionKey(r as Request),
      },
    ],
  };
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, DI.Redis],
      useFactory: throttlerOptions,
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class ThrottlingModule {}
