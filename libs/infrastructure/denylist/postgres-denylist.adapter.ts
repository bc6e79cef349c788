import type { EntityManager } from 'typeorm';
import type { Denylist, DenylistEntry } from '@tessera/domain/revocation/denylist.port';
import { systemClock, type Clock } from '@tessera/domain/shared/clock.port';
import type { TenantTransactions } from '../postgres/tenant-transaction';
import { decodeEntries, encodeEntries, type DenylistChannel } from './denylist-channel';

export interface PostgresDenylistOptions {
  tx: TenantTransactions;
  channel: DenylistChannel;
  syncIntervalMs: number;
  /** Verifiers accept a token this long past `exp` (clock skew): its denial must outlast that. */
  leewayMs: number;
  clock?: Clock;
  warn?: (message: string) => void;
}

/**
 * Rows are read again for this long after a sync first could have seen them. `seq` is taken at
 * INSERT but becomes visible at COMMIT, so a row with a lower seq can appear after a higher one
 * was read; a deny transaction is one statement, far shorter than this (statement_timeout 10s).
 */
const OVERLAP_MS = 30_000;
const SWEEP_EVERY_MS = 30_000;
const PRUNE_EVERY_MS = 60 * 60_000;

const TABLE = 'tessera.token_denylist';

/**
 * The denylist: Postgres holds the truth, every node a replica (jti → deny-until, epoch ms) of
 * the unexpired entries, so the per-request check is a Map lookup. The replica is fed by the
 * channel at once and, as the safety net for lost messages and reconnects, by an incremental
 * resync every syncIntervalMs.
 */
export class PostgresDenylist implements Denylist {
  private readonly denied = new Map<string, number>();
  /** (when, highest seq read): the resync starts from the one OVERLAP_MS old. */
  private marks: { at: number; seq: number }[] = [];
  private syncing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private lastSweep = 0;
  private syncedAt?: Date;
  private readonly clock: Clock;
  private readonly warn: (message: string) => void;
  private readonly listeners = new Set<() => void>();
  private notifyQueued = false;

  constructor(private readonly o: PostgresDenylistOptions) {
    this.clock = o.clock ?? systemClock;
    this.warn = o.warn ?? (() => undefined);
  }

  /** Subscribes first, then loads: nothing denied during the load can slip between the two. */
  async start(): Promise<void> {
    await this.o.channel.subscribe(
      (m) => this.applyMessage(m),
      () => void this.sync(),
    );
    await this.fullLoad();
    this.timer = setInterval(() => void this.sync(), this.o.syncIntervalMs);
    this.timer.unref();
    // Expired rows are dead weight: every node prunes now and then (DELETE is idempotent, so
    // nodes racing is harmless); `denylist prune` remains for operators.
    this.pruneTimer = setInterval(
      () =>
        void this.prune().catch((e: unknown) => this.warn(`denylist prune failed: ${String(e)}`)),
      PRUNE_EVERY_MS,
    );
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    await this.o.channel.close();
    await this.syncing;
  }

  async deny(entries: readonly DenylistEntry[]): Promise<void> {
    const byTenant = new Map<string, Map<string, DenylistEntry>>();
    for (const e of entries) {
      const group = byTenant.get(e.tenantId) ?? new Map<string, DenylistEntry>();
      byTenant.set(e.tenantId, group.set(e.jti, e));
    }
    for (const [tenantId, group] of byTenant) {
      const rows = [...group.values()];
      // Each new row gets its revocation-feed event from a trigger, in this transaction (a jti
      // denied twice: one row, one event). See migrations/1763800500000-resource-servers.ts.
      await this.o.tx.run(async (em) => {
        await insert(em, tenantId, rows);
        await this.o.channel.inTransaction(em, encodeEntries(rows));
      }, tenantId);
    }
    for (const e of entries) this.add(e.jti, e.expiresAt.getTime());
    // Persisted already; a lost broadcast costs the other nodes one resync interval, no more.
    await this.o.channel
      .afterCommit(encodeEntries(entries))
      .catch((e: Error) => this.warn(`denylist broadcast failed: ${e.message}`));
  }

  /**
   * Runs `listener` soon after this node learns of a new denial (its own, a broadcast, or a
   * resync): the revocation feed wakes its long polls with it. Returns the unsubscribe.
   */
  onDenied(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isDenied(jti: string): boolean {
    const until = this.denied.get(jti);
    if (until === undefined) return false;
    if (until > this.clock.now().getTime()) return true;
    this.denied.delete(jti);
    return false;
  }

  async prune(now: Date = this.clock.now()): Promise<number> {
    const before = new Date(now.getTime() - this.o.leewayMs);
    const rows = await this.o.tx.crossTenant('denylist-prune', (em) =>
      em.query<{ n: number }[]>(
        `WITH gone AS (DELETE FROM ${TABLE} WHERE expires_at < $1 RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [before],
      ),
    );
    return rows[0]?.n ?? 0;
  }

  /** When the replica last caught up with Postgres (for readiness and metrics). */
  lastSyncedAt(): Date | undefined {
    return this.syncedAt;
  }

  size(): number {
    return this.denied.size;
  }

  /** Reads whatever changed since the overlap mark; concurrent callers share one run. */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce()
      .catch((e: Error) => this.warn(`denylist resync failed: ${e.message}`))
      .finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async fullLoad(): Promise<void> {
    const since = this.liveSince();
    const { max, rows } = await this.o.tx.crossTenant('denylist-sync', async (em) => {
      // The high-water mark first: a row committed after it is read again by the next sync.
      const [m] = await em.query<{ max: string }[]>(
        `SELECT coalesce(max(seq), 0)::text AS max FROM ${TABLE}`,
      );
      const found = await em.query<{ jti: string; expires_at: Date }[]>(
        `SELECT jti, expires_at FROM ${TABLE} WHERE expires_at > $1`,
        [since],
      );
      return { max: Number(m!.max), rows: found };
    });
    for (const r of rows) this.add(r.jti, r.expires_at.getTime());
    this.mark(max);
  }

  private async syncOnce(): Promise<void> {
    const from = this.marks[0]?.seq ?? 0;
    const rows = await this.o.tx.crossTenant('denylist-sync', (em) =>
      em.query<{ jti: string; expires_at: Date; seq: string }[]>(
        `SELECT jti, expires_at, seq::text AS seq FROM ${TABLE}
         WHERE seq > $1 AND expires_at > $2 ORDER BY seq`,
        [from, this.liveSince()],
      ),
    );
    let max = this.marks.at(-1)?.seq ?? 0;
    for (const r of rows) {
      this.add(r.jti, r.expires_at.getTime());
      max = Math.max(max, Number(r.seq));
    }
    this.mark(max);
    this.sweep();
  }

  private mark(seq: number): void {
    const now = this.clock.now().getTime();
    this.syncedAt = new Date(now);
    this.marks.push({ at: now, seq });
    while (this.marks.length > 1 && this.marks[1]!.at <= now - OVERLAP_MS) this.marks.shift();
  }

  private applyMessage(message: string): void {
    for (const [jti, expiresAt] of decodeEntries(message)) this.add(jti, expiresAt);
  }

  private add(jti: string, expiresAtMs: number): void {
    const until = expiresAtMs + this.o.leewayMs;
    if (until <= this.clock.now().getTime()) return;
    const known = this.denied.get(jti);
    if ((known ?? 0) < until) this.denied.set(jti, until);
    if (known === undefined) this.notify();
  }

  private notify(): void {
    if (this.notifyQueued || this.listeners.size === 0) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const l of this.listeners) l();
    });
  }

  private liveSince(): Date {
    return new Date(this.clock.now().getTime() - this.o.leewayMs);
  }

  /** Drops entries whose tokens have expired, so the replica holds only live denials. */
  private sweep(): void {
    const now = this.clock.now().getTime();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [jti, until] of this.denied) if (until <= now) this.denied.delete(jti);
  }
}

/** One statement for the batch; a jti denied twice (two nodes, a retry) stays one row. */
function insert(em: EntityManager, tenantId: string, rows: DenylistEntry[]): Promise<unknown> {
  return em.query(
    `INSERT INTO ${TABLE} (jti, tenant_id, expires_at, reason)
     SELECT u.jti, $1, u.expires_at, u.reason
     FROM unnest($2::text[], $3::timestamptz[], $4::text[]) AS u(jti, expires_at, reason)
     ON CONFLICT (jti) DO NOTHING`,
    [
      tenantId,
      rows.map((r) => r.jti),
      rows.map((r) => r.expiresAt),
      rows.map((r) => r.reason.slice(0, 200)),
    ],
  );
}
