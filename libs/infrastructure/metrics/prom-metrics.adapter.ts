import { Counter, Gauge, Histogram } from 'prom-client';
import type { GrantLabel, Metrics } from '@tessera/application/ports/metrics.port';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import type { KeyLifecycleCollector } from './key-lifecycle.collector';
import type { MetricsRegistry } from './metrics-registry';

/** The Metrics port on prom-client. Every label is a bounded enum (see the port). */
export class PromMetrics implements Metrics {
  private readonly issued: Counter<'grant' | 'alg'>;
  private readonly sign: Histogram<'alg'>;
  private readonly reuse: Counter;
  private readonly revocations: Counter<'kind'>;
  private readonly denylist: Counter<'result'>;
  private readonly limited: Counter<'scope'>;
  private readonly rotations: Counter<'outcome'>;
  private readonly tenantKeyCount: Gauge<'status'>;
  private readonly tenantOldestActive: Gauge;

  constructor(
    registry: MetricsRegistry,
    private readonly keys: KeyLifecycleCollector,
    alg?: SigningAlg,
  ) {
    const registers = [registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      new Gauge<L>({ name, help, labelNames, registers });
    this.issued = counter(
      'tessera_tokens_issued_total',
      'Access tokens issued, by grant and signing algorithm',
      ['grant', 'alg'],
    );
    this.sign = new Histogram({
      name: 'tessera_token_sign_duration_seconds',
      help: 'Time to sign one token, by algorithm',
      labelNames: ['alg'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    });
    this.reuse = counter(
      'tessera_refresh_reuse_detected_total',
      'Refresh tokens presented again after rotation (the family was revoked)',
    );
    this.revocations = counter('tessera_revocations_total', 'Revocations, by what was revoked', [
      'kind',
    ]);
    this.denylist = counter(
      'tessera_denylist_cache_total',
      'Denylist cache lookups, by hit or miss',
      ['result'],
    );
    this.limited = counter(
      'tessera_rate_limited_total',
      'Requests refused with 429, by limit scope',
      ['scope'],
    );
    this.rotations = counter(
      'tessera_key_rotations_total',
      'Automatic key rotations by this node (platform and tenants), done or failed',
      ['outcome'],
    );
    this.tenantKeyCount = gauge(
      'tessera_tenant_signing_keys',
      'Tenant signing keys across all tenants, by status (as of the last rotation check)',
      ['status'],
    );
    this.tenantOldestActive = gauge(
      'tessera_tenant_oldest_active_key_age_seconds',
      'Age of the oldest active tenant signing key (as of the last rotation check)',
    );
    if (alg) this.initialSeries(alg);
  }

  keyRotations(outcome: 'done' | 'failed', n: number): void {
    this.rotations.inc({ outcome }, n);
  }

  tenantKeys(byStatus: Record<'staged' | 'active' | 'retiring', number>, oldest: number): void {
    for (const [status, n] of Object.entries(byStatus)) this.tenantKeyCount.set({ status }, n);
    this.tenantOldestActive.set(oldest);
  }

  /** Series exist at 0 from boot, so rate() and absent() behave before the first event. */
  private initialSeries(alg: SigningAlg): void {
    const grants: GrantLabel[] = [
      'client_credentials',
      'refresh_token',
      'token_exchange',
      'session',
      'cli',
    ];
    for (const grant of grants) this.issued.inc({ grant, alg }, 0);
    this.sign.zero({ alg });
    this.reuse.inc(0);
    for (const kind of ['access_token', 'refresh_token', 'family'])
      this.revocations.inc({ kind }, 0);
    for (const result of ['hit', 'miss']) this.denylist.inc({ result }, 0);
    for (const scope of ['anonymous', 'authenticated', 'token', 'session'])
      this.limited.inc({ scope }, 0);
  }

  tokenIssued(grant: GrantLabel, alg: SigningAlg): void {
    this.issued.inc({ grant, alg });
  }
  signDuration(alg: SigningAlg, seconds: number): void {
    this.sign.observe({ alg }, seconds);
  }
  refreshReuseDetected(): void {
    this.reuse.inc();
  }
  revocation(kind: 'access_token' | 'refresh_token' | 'family' | 'client' | 'subject'): void {
    this.revocations.inc({ kind });
  }
  denylistCache(result: 'hit' | 'miss'): void {
    this.denylist.inc({ result });
  }
  rateLimited(scope: 'anonymous' | 'authenticated' | 'token' | 'session'): void {
    this.limited.inc({ scope });
  }
  kidPresented(kid: string): void {
    this.keys.kidPresented(kid);
  }
}
