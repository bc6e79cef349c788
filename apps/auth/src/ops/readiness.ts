import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/** Other modules (Redis) contribute readiness checks without the controller knowing them. */
export const READINESS_CHECKS = Symbol('ReadinessChecks');
export type ReadinessCheck = (indicator: HealthIndicatorService) => Promise<HealthIndicatorResult>;
