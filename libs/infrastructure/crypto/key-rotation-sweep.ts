import type { DataSource } from 'typeorm';
import type { TenantTransactions } from '../postgres/tenant-transaction';
import { newSealedKey, type DatabaseKeyOptions, type KeyLog } from './database-key-ring';
import { KeyEncryption } from './key-encryption';
import { repeatAfter, type Repeating } from './repeat-after';
import type { TenantKeys } from './tenant-keys';
import { TypeOrmSigningKeys } from './typeorm-signing-keys.adapter';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';

export interface SweepResult {
  /** Successors staged (or first keys created) by this node in this sweep. */
  created: number;
  /** Due on the first read, but another node had already done it under the lock. */
  skipped: number;
  failed: number;
}

export interface SweepCounters {
  rotated(outcome: 'done' | 'failed', n: number): void;
  tenantKeys?(byStatus: Record<'staged' | 'active' | 'retiring', number>, oldest: number): void;
}

/** Tenants per sweep pass: bounds one pass's work and memory. */
const BATCH = 500;
const CONCURRENCY = 4;

/**
 * Automatic rotation (KEY_ROTATION_INTERVAL). Every node runs the check; one session-level
 * advisory lock (held on a connection of its own, released when the node dies) lets one node
 * sweep at a time, and every insert re-checks under the key set's transaction lock, so two
 * nodes never create two successors: the database state is the fence. A node that was down
 * simply finds the work still due.
 */
export class KeyRotationSweep {
  private timer?: Repeating;

  constructor(
    private readonly ds: DataSource,
    private readonly tx: TenantTransactions,
    private readonly opts: {
      intervalSeconds: number;
      checkMs: number;
      platform?: DatabaseKeyOptions;
      tenants?: TenantKeys;
      log: KeyLog;
      counters?: SweepCounters;
    },
  ) {}

  start(): this {
    this.timer = repeatAfter(
      this.opts.checkMs,
      () => this.sweep(),
      (e) => this.opts.log.warn(`key rotation sweep failed: ${e.message}`),
    );
    return this;
  }

  stop(): void {
    this.timer?.stop();
  }

  /** One pass over the platform set and every tenant; undefined when another node sweeps. */
  async sweep(): Promise<SweepResult | undefined> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      const [{ ok }] = (await qr.query(
        `SELECT pg_try_advisory_lock(hashtext('tessera:key-rotation-sweep')) AS ok`,
      )) as [{ ok: boolean }];
      if (!ok) return undefined;
      try {
        const result: SweepResult = { created: 0, skipped: 0, failed: 0 };
        if (this.opts.platform && this.opts.intervalSeconds > 0) await this.platform(result);
        if (this.opts.tenants) {
          await this.tenants(this.opts.tenants, result);
          await this.stats();
        }
        this.opts.counters?.rotated('done', result.created);
        this.opts.counters?.rotated('failed', result.failed);
        return result;
      } finally {
        await qr.query(`SELECT pg_advisory_unlock(hashtext('tessera:key-rotation-sweep'))`);
      }
    } finally {
      await qr.release();
    }
  }

  private async platform(result: SweepResult): Promise<void> {
    const p = this.opts.platform!;
    const store = new TypeOrmSigningKeys(this.ds, p.policy);
    const rows = (await store.snapshot()).rows;
    if (
      !this.due(
        rows.map((r) => r.createdAt),
        await this.dbNow(),
      )
    )
      return;
    // The successor keeps the algorithm of the newest key (an operator's `keys rotate --alg`).
    const newest = rows.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
    try {
      const key = await newSealedKey(new KeyEncryption(p.secret), newest.alg);
      const made = await store.insert(key, {
        onlyIfNewestOlderThanMs: this.opts.intervalSeconds * 1000,
      });
      if (made) {
        result.created++;
        this.opts.log.log(`platform signing key rotated: successor staged`);
      } else result.skipped++;
    } catch (e) {
      result.failed++;
      this.opts.log.warn(`platform key rotation failed: ${(e as Error).message}`);
    }
  }

  private async tenants(keys: TenantKeys, result: SweepResult): Promise<void> {
    const interval = this.opts.intervalSeconds;
    let after = '';
    for (;;) {
      const due = (await this.tx.crossTenant('key rotation sweep', (em) =>
        em.query(
          `SELECT t.id, count(k.kid)::int AS live,
                  (SELECT k2.alg FROM tessera.tenant_signing_keys k2 WHERE k2.tenant_id = t.id
                    ORDER BY k2.created_at DESC LIMIT 1) AS alg
             FROM tessera.tenants t
             LEFT JOIN tessera.tenant_signing_keys k
               ON k.tenant_id = t.id AND (k.retired_at IS NULL OR k.retired_at > clock_timestamp())
            WHERE t.status = 'active' AND t.id > $3
            GROUP BY t.id
           HAVING count(k.kid) = 0
               OR ($1::int > 0 AND max(k.created_at) <= clock_timestamp() - make_interval(secs => $1::int))
            ORDER BY t.id LIMIT $2`,
          [interval, BATCH, after],
        ),
      )) as { id: string; live: number; alg: SigningAlg | null }[];
      // A few tenants at a time: key generation runs on the libuv pool, the rest is I/O.
      for (let k = 0; k < due.length; k += CONCURRENCY) {
        await Promise.all(
          due.slice(k, k + CONCURRENCY).map((t) => this.rotateTenant(keys, t, result)),
        );
      }
      if (due.length < BATCH) return;
      after = due[due.length - 1]!.id;
    }
  }

  private async rotateTenant(
    keys: TenantKeys,
    t: { id: string; live: number; alg: SigningAlg | null },
    result: SweepResult,
  ): Promise<void> {
    const interval = this.opts.intervalSeconds;
    try {
      const made =
        t.live === 0
          ? await keys.ensureKey(t.id)
          : (await keys.store(t.id).insert(await keys.newKey(t.alg ?? keys.opts.alg), {
              onlyIfNewestOlderThanMs: interval * 1000,
            })) !== undefined;
      if (made) result.created++;
      else result.skipped++;
      keys.invalidate(t.id);
    } catch (e) {
      result.failed++;
      this.opts.log.warn(`tenant ${t.id} key rotation failed: ${(e as Error).message}`);
    }
  }

  /** Stored statuses (settled whenever a tenant's keys are loaded), one aggregate query. */
  private async stats(): Promise<void> {
    if (!this.opts.counters?.tenantKeys) return;
    const rows = (await this.tx.crossTenant('tenant key stats', (em) =>
      em.query(
        `SELECT status, count(*)::int AS n,
                extract(epoch FROM clock_timestamp() - min(activated_at))::float AS oldest
           FROM tessera.tenant_signing_keys WHERE status <> 'retired' GROUP BY status`,
      ),
    )) as { status: 'staged' | 'active' | 'retiring'; n: number; oldest: number | null }[];
    const by = { staged: 0, active: 0, retiring: 0 };
    for (const r of rows) by[r.status] = r.n;
    const oldest = rows.find((r) => r.status === 'active')?.oldest ?? 0;
    this.opts.counters.tenantKeys(by, oldest);
  }

  private due(created: Date[], now: Date): boolean {
    if (created.length === 0) return false;
    const newest = Math.max(...created.map((d) => d.getTime()));
    return newest + this.opts.intervalSeconds * 1000 <= now.getTime();
  }

  private async dbNow(): Promise<Date> {
    const [{ now }] = (await this.ds.query(`SELECT clock_timestamp() AS now`)) as [{ now: Date }];
    return now;
  }
}
