import { Controller, Get, Inject, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { MetricsRegistry } from '@tessera/infrastructure/metrics/metrics-registry';
import { MetricsAccessGuard } from './metrics-access.guard';

/** Prometheus text exposition; on its own port instead when METRICS_PORT is set. */
@ApiExcludeController()
@Controller('metrics')
@UseGuards(MetricsAccessGuard)
export class MetricsController {
  constructor(
    private readonly registry: MetricsRegistry,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  @Get()
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    if (this.cfg.metrics.port) throw new DomainError('not_found', 'metrics are on their own port');
    res.setHeader('Content-Type', this.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    return this.registry.metrics();
  }
}
