import { Controller, Get, Inject } from '@nestjs/common';
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

  @Get('ready')
  @HealthCheck()
  ready() {
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
