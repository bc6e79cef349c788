import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { CidrAllowList } from '@tessera/infrastructure/metrics/cidr-allow-list';

/**
 * METRICS_ALLOW_CIDRS. `req.ip` is the socket peer unless TRUST_PROXY names the proxies whose
 * X-Forwarded-For Express may believe, so a forged header from anyone else changes nothing.
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly allow: CidrAllowList;

  constructor(@Inject(APP_CONFIG) cfg: AppConfig) {
    this.allow = new CidrAllowList(cfg.metrics.allowCidrs);
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request>();
    if (this.allow.allows(req.ip)) return true;
    throw new DomainError('access_denied', 'metrics are not served to this address');
  }
}
