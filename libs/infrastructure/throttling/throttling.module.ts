import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  ThrottlerModule,
  ThrottlerStorageService,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import { FailOpenStorage } from './fail-open-storage';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler-storage';
import { counterKey, ipKey, matchedRoute } from './rate-limit-keys';
import { requestContext } from '../http/request-context';

const req = (ctx: ExecutionContext) => ctx.switchToHttp().getRequest<Request>();
const isRoute = (method: string, route: string) => (ctx: ExecutionContext) => {
  const r = req(ctx);
  return r.method === method && matchedRoute(r) === route;
};
const isTokenRequest = isRoute('POST', '/oauth/token');
const mintsFromSession = [isRoute('POST', '/api/v1/tokens'), isRoute('POST', '/account/tokens')];
/** The API and the account page's form both mint from a session: one count covers both. */
const isSessionMint = (ctx: ExecutionContext) => mintsFromSession.some((m) => m(ctx));
const principal = (ctx: ExecutionContext) => requestContext(req(ctx)).principal ?? null;
const countedBeforeLookup = (r: Request) => requestContext(r).countedBeforeLookup === true;

/** The counter a verified principal is counted under. */
function principalKey(r: unknown): string {
  const p = requestContext(r as Request).principal!;
  if (p.kind === 'client') return `client:${p.client.id}`;
  if (p.kind === 'bearer') return `token:${p.claims.client_id}:${p.claims.sub}`;
  if (p.kind === 'issuer') return `issuer:${p.issuer}`;
  return `session:${p.session.idHash}`;
}

/**
 * Counted in Redis when there is one (every node shares the count), in memory otherwise.
 * A request whose credential verified (RequestPrincipals: an authenticated client at the
 * OAuth endpoints, a valid bearer token, a live session) counts against its principal's
 * allowance only; every other request, a failed or garbage credential included, counts
 * against its client address, so junk credentials buy no escape from the address limit and
 * a busy client behind one NAT address is not held to the anonymous limit. On top of that:
 * token requests per authenticated client, token minting per session. Keys ignore the route
 * so "per address" and "per principal" mean across all routes.
 */
function throttlerOptions(cfg: AppConfig, redis: Redis | null): ThrottlerModuleOptions {
  const rl = cfg.rateLimit;
  const ttl = rl.windowSeconds * 1000;
  const generateKey = (_ctx: ExecutionContext, tracker: string, name: string) =>
    counterKey(name, tracker);
  return {
    storage: new FailOpenStorage(
      redis ? new RedisThrottlerStorage(redis) : new ThrottlerStorageService(),
    ),
    setHeaders: false,
    skipIf: () => !rl.enabled,
    generateKey,
    throttlers: [
      {
        name: 'anonymous',
        ttl,
        limit: rl.anonymous,
        skipIf: (ctx) => !rl.enabled || principal(ctx) !== null || countedBeforeLookup(req(ctx)),
        getTracker: (r) => ipKey(r as Request),
      },
      {
        name: 'authenticated',
        ttl,
        limit: rl.authenticated,
        skipIf: (ctx) => !rl.enabled || principal(ctx) === null,
        getTracker: principalKey,
      },
      {
        name: 'token',
        ttl,
        limit: rl.token,
        skipIf: (ctx) => !rl.enabled || !isTokenRequest(ctx) || principal(ctx)?.kind !== 'client',
        getTracker: principalKey,
      },
      {
        name: 'session',
        ttl,
        limit: rl.sessionMint,
        skipIf: (ctx) => !rl.enabled || !isSessionMint(ctx) || principal(ctx)?.kind !== 'session',
        getTracker: principalKey,
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
