import { generateSigningKey } from '../crypto/key-generator';
import { KeyRing } from '../crypto/key-ring';
import { KeyLifecycleCollector } from './key-lifecycle.collector';
import { MetricsRegistry } from './metrics-registry';
import { PromMetrics } from './prom-metrics.adapter';

describe('PromMetrics', () => {
  it('kidPresented › only kids of the ring become labels; any other kid counts as "unknown"', async () => {
    const key = await generateSigningKey('ES256');
    const ring = new KeyRing([{ material: key.material, primary: true, createdAt: new Date() }]);
    const registry = MetricsRegistry.create();
    const metrics = new PromMetrics(registry, new KeyLifecycleCollector(registry, ring), ring.alg);
    metrics.kidPresented(ring.kid);
    for (let i = 0; i < 50; i++) metrics.kidPresented(`forged-${i}`);
    metrics.kidPresented('../../dev/null');
    const { values } = await registry
      .getSingleMetric('tessera_token_verifications_by_kid_total')!
      .get();
    expect(Object.fromEntries(values.map((v) => [v.labels.kid, v.value]))).toEqual({
      [ring.kid]: 1,
      unknown: 51,
    });
  });

  it('two registries never share series (one per app instance)', async () => {
    const key = await generateSigningKey('ES256');
    const ring = new KeyRing([{ material: key.material, primary: true, createdAt: new Date() }]);
    const metricsOf = (registry: MetricsRegistry) =>
      new PromMetrics(registry, new KeyLifecycleCollector(registry, ring), ring.alg);
    const [ra, rb] = [MetricsRegistry.create(), MetricsRegistry.create()];
    // A shared (global) registry would refuse the second set of series outright.
    const [a, b] = [metricsOf(ra), metricsOf(rb)];
    a.tokenIssued('client_credentials', ring.alg);
    a.tokenIssued('client_credentials', ring.alg);
    b.tokenIssued('client_credentials', ring.alg);
    const issued = async (r: MetricsRegistry) =>
      (await r.getSingleMetric('tessera_tokens_issued_total')!.get()).values.find(
        (v) => v.labels.grant === 'client_credentials',
      )?.value;
    expect([await issued(ra), await issued(rb)]).toEqual([2, 1]);
    expect(ra.getSingleMetric('process_cpu_user_seconds_total')).toBeDefined();
    // prom-client's misnamed `_total` gauges are dropped (promtool rejects them).
    expect(ra.getSingleMetric('nodejs_active_handles_total')).toBeUndefined();
  });
});
