import { Global, Module } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import type { KeyRing } from '../crypto/key-ring';
import { HttpMetrics } from './http-metrics';
import { KeyLifecycleCollector } from './key-lifecycle.collector';
import { MetricsRegistry } from './metrics-registry';
import { PromMetrics } from './prom-metrics.adapter';

/** Binds DI.Metrics to prom-client on a registry owned by this app instance. */
@Global()
@Module({
  providers: [
    { provide: MetricsRegistry, useFactory: () => MetricsRegistry.create() },
    {
      provide: HttpMetrics,
      inject: [MetricsRegistry],
      useFactory: (r: MetricsRegistry) => new HttpMetrics(r),
    },
    {
      provide: KeyLifecycleCollector,
      inject: [MetricsRegistry, DI.KeyRing],
      useFactory: (r: MetricsRegistry, ring: KeyRing) => new KeyLifecycleCollector(r, ring),
    },
    {
      provide: DI.Metrics,
      inject: [MetricsRegistry, KeyLifecycleCollector, DI.KeyRing],
      useFactory: (r: MetricsRegistry, k: KeyLifecycleCollector, ring: KeyRing) =>
        new PromMetrics(r, k, ring.alg),
    },
  ],
  exports: [MetricsRegistry, HttpMetrics, DI.Metrics],
})
export class MetricsModule {}
