import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics-server';
import { readinessProviders } from './readiness.providers';

/** Probes and the Prometheus scrape, on the public port or a listener of their own. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController, MetricsController],
  providers: [...readinessProviders, MetricsServer],
})
export class OpsModule {}
