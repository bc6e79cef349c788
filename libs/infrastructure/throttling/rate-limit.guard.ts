import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request } from 'express';
import { DI } from '@tessera/application/di-tokens';
import type { Metrics } from '@tessera/application/ports/metrics.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { requestContext } from '../http/request-context';
import { RequestPrincipals } from '../http/request-principals';
import { counterKey, ipKey } from './rate-limit-keys';

export type LimitScope = 'anonymous' | 'authenticated' | 'token' | 'session';

/** Probes and scrapes are never limited: a flood must not make the node look dead. */
const UNLIMITED = /^\/(health\/|metrics(\/|$))/;

/**
 * @nestjs/throttler as a global guard, with Tessera's answer: a DomainError('rate_limited')
 * carrying retryAfter, which the one error filter turns into 429 + Retry-After + RFC 6749 JSON.
 * Before counting it verifies the request's credential (RequestPrincipals), so the throttlers
 * can tell a proven principal from an anonymous or failed one.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(DI.Metrics) private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly principals: RequestPrincipals,
  ) {
    super(options, storage, reflector);
  }

  override async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (!this.cfg.rateLimit.enabled || (await this.shouldSkip(ctx))) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    await this.principals.resolve(req, () => this.countAddress(ctx, req));
    return super.canActivate(ctx);
  }

  /**
   * A client id this node does not know costs a query to look up: the address pays for it
   * first, so a flood of random ids is refused (429) by the counter, never by the database.
   * Same counter as the anonymous throttler, which then skips the request.
   */
  private async countAddress(ctx: ExecutionContext, req: Request): Promise<void> {
    const rl = this.cfg.rateLimit;
    const ttl = rl.windowSeconds * 1000;
    const tracker = ipKey(req);
    const key = counterKey('anonymous', tracker);
    const hit = await this.storageService.increment(key, ttl, rl.anonymous, ttl, 'anonymous');
    requestContext(req).countedBeforeLookup = true;
    if (hit.isBlocked) {
      await this.throwThrottlingException(ctx, { ...hit, limit: rl.anonymous, ttl, key, tracker });
    }
  }

  protected override async shouldSkip(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    return UNLIMITED.test(ctx.switchToHttp().getRequest<Request>().path);
  }

  protected override async throwThrottlingException(
    ctx: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const scope = (detail.key.split(':')[2] ?? 'anonymous') as LimitScope;
    this.metrics.rateLimited(scope);
    throw new DomainError(
      'rate_limited',
      'too many requests: retry after the time given in Retry-After',
      {
        retryAfter: Math.max(1, Math.ceil(detail.timeToBlockExpire)),
      },
    );
  }
}
