import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * Gauges prom-client names `_total`, which Prometheus reserves for counters (promtool flags
 * them). Their per-type siblings (`nodejs_active_handles{type}` …) carry the same information.
 */
const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * One registry per app instance, never prom-client's global default: two apps in one test
 * process (or a CLI beside a server) must not share or double-register series.
 */
export class MetricsRegistry extends Registry {
  static create(): MetricsRegistry {
    const registry = new MetricsRegistry();
    collectDefaultMetrics({ register: registry });
    for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
    return registry;
  }
}
