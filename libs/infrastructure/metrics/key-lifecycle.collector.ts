import { Counter, Gauge } from 'prom-client';
import type { KeyRing } from '../crypto/key-ring';
import type { MetricsRegistry } from './metrics-registry';

const STATUSES = ['staged', 'active', 'retiring', 'retired'] as const;

/**
 * Key lifecycle as operators need it for rotation: every kid's status and age, which kid signs,
 * and which kids clients still present. Gauges are recomputed from the ring on every scrape,
 * so a rotated ring never leaves stale kids behind.
 */
export class KeyLifecycleCollector {
  private readonly presented: Counter<'kid'>;

  constructor(
    registry: MetricsRegistry,
    private readonly ring: KeyRing,
  ) {
    const keyRing = ring;
    new Gauge({
      name: 'tessera_signing_key_status',
      help: 'Signing key status: 1 for the status the kid is in, 0 for the others',
      labelNames: ['kid', 'alg', 'status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const k of keyRing.list()) {
          for (const s of STATUSES)
            this.set({ kid: k.kid, alg: k.alg, status: s }, s === k.status ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'tessera_signing_key_age_seconds',
      help: 'Seconds since the signing key was created',
      labelNames: ['kid', 'alg'],
      registers: [registry],
      collect() {
        this.reset();
        const now = Date.now();
        for (const k of keyRing.list()) {
          // createdAt 0 means "unknown" (a key file without a date): report no age rather than 56 years.
          if (k.createdAt.getTime() > 0) {
            this.set({ kid: k.kid, alg: k.alg }, Math.max(0, (now - k.createdAt.getTime()) / 1000));
          }
        }
      },
    });
    new Gauge({
      name: 'tessera_signing_key_active',
      help: 'The kid new tokens are signed with (value 1)',
      labelNames: ['kid', 'alg'],
      registers: [registry],
      collect() {
        this.reset();
        this.set({ kid: keyRing.kid, alg: keyRing.alg }, 1);
      },
    });
    this.presented = new Counter({
      name: 'tessera_token_verifications_by_kid_total',
      help: 'Tokens presented for verification, by kid; kids not in the ring count as "unknown"',
      labelNames: ['kid'],
      registers: [registry],
    });
    // Zero from boot: "this kid was presented 0 times" is exactly what says it can go.
    for (const k of ring.list()) this.presented.inc({ kid: k.kid }, 0);
  }

  /** Only kids of our own ring become labels: a forged kid must not mint a new series. */
  kidPresented(kid: string): void {
    this.presented.inc({ kid: this.ring.get(kid) ? kid : 'unknown' });
  }
}
