import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { DI } from '@tessera/application/di-tokens';
import type { KeyRing } from '@tessera/infrastructure/crypto/key-ring';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    @Inject(DI.KeyRing) private readonly ring: KeyRing,
    @Inject(READINESS_CHECKS) private readonly extra: ReadinessCheck[],
  ) {}

  /** Liveness says only that the event loop answers: no dependency may fail it. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** 503 with terminus's report (which dependency is down), not a generic error body. */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: Response) {
    return this.checkReady().catch((e: unknown) => {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      res.status(503).setHeader('Cache-Control', 'no-store');
      return e.getResponse();
    });
  }

  private checkReady() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 1500 }),
      () => {
        const key = this.indicator.check('signing_key');
        return this.ring.kid ? key.up({ kid: this.ring.kid, alg: this.ring.alg }) : key.down();
      },
      ...this.extra.map((c) => () => c(this.indicator)),
    ]);
  }
}
