import type { EntityManager } from 'typeorm';
import type { Denylist, DenylistEntry } from '@tessera/domain/revocation/denylist.port';
import { systemClock, type Clock } from '@tessera/domain/shared/clock.port';
import type { TenantTransactions } from '../postgres/tenant-transaction';
import { decodeEntries, encodeEntries, type DenylistChannel } from './denylist-channel';

export interface PostgresDenylistOptions {
  tx: TenantTransactions;
  channel: DenylistChannel;
  syncIntervalMs: number;
  /** How often this node deletes rows past exp + leeway (default hourly; tests shorten it). */
  pruneIntervalMs?: number;
  /** Verifiers accept a token this long past `exp` (clock skew): its denial must outlast that. */
  leewayMs: number;
  clock?: Clock;
  warn?: (message: string) => void;
}

/*
 * The resync reads each row once, late commits included. `seq` (and any time column) is
 * taken at INSERT but becomes visible at COMMIT, so a high-water mark on it can step over a
 * row whose transaction was still open. Instead every row carries its transaction id (xid8)
 * and a sync remembers the snapshot it read under: the next one reads exactly the rows whose
 * transactions that snapshot did not see (still running then, or begun since) — an index
 * range from the snapshot's xmin, filtered by pg_visible_in_snapshot.
 */
const SWEEP_EVERY_MS = 30_000;
const PRUNE_EVERY_MS = 60 * 60_000; // default of pruneIntervalMs

const TABLE = 'tessera.token_denylist';

interface Entry {
  jti: string;
  expires_at: Date;
}

/**
 * The denylist: Postgres holds the truth, every node a replica (jti → deny-until, epoch ms) of
 * the unexpired entries, so the per-request check is a Map lookup. The replica is fed by the
 * channel at once and, as the safety net for lost messages and reconnects, by an incremental
 * resync every syncIntervalMs.
 */
export class PostgresDenylist implements Denylist {
  private readonly denied = new Map<string, number>();
  /** The snapshot (pg_snapshot text) the last load or sync read under. */
  private seen?: string;
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
      this.o.pruneIntervalMs ?? PRUNE_EVERY_MS,
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

  /** By the database's clock: nodes whose clocks disagree prune the same rows. */
  async prune(): Promise<number> {
    const rows = await this.o.tx.crossTenant('denylist-prune', (em) =>
      em.query<{ n: number }[]>(
        `WITH gone AS (DELETE FROM ${TABLE}
                        WHERE expires_at < now() - make_interval(secs => $1) RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [this.o.leewayMs / 1000],
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

  /** Reads the rows committed since the last sync's snapshot; concurrent callers share one run. */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce()
      .catch((e: Error) => this.warn(`denylist resync failed: ${e.message}`))
      .finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async fullLoad(): Promise<void> {
    await this.read(
      (em) =>
        em.query<Entry[]>(`SELECT jti, expires_at FROM ${TABLE} WHERE expires_at > $1`, [
          this.liveSince(),
        ]),
      undefined,
    );
  }

  private async syncOnce(): Promise<void> {
    if (!this.seen) return this.fullLoad();
    await this.read(
      (em) =>
        em.query<Entry[]>(
          `SELECT jti, expires_at FROM ${TABLE}
            WHERE xid >= pg_snapshot_xmin($1::pg_snapshot)
              AND NOT pg_visible_in_snapshot(xid, $1::pg_snapshot)
              AND expires_at > $2`,
          [this.seen, this.liveSince()],
        ),
      this.seen,
    );
    this.sweep();
  }

  /**
   * The snapshot is taken first, in its own statement: the rows query then sees at least what
   * it saw, so a row is read now or by the next sync, never by neither (at worst by both).
   */
  private async read(
    rowsQuery: (em: EntityManager) => Promise<Entry[]>,
    expected: string | undefined,
  ): Promise<void> {
    const { snapshot, rows } = await this.o.tx.crossTenant('denylist-sync', async (em) => {
      const [s] = await em.query<{ s: string }[]>(`SELECT pg_current_snapshot()::text AS s`);
      return { snapshot: s!.s, rows: await rowsQuery(em) };
    });
    for (const r of rows) this.add(r.jti, r.expires_at.getTime());
    // A concurrent full load (start) may have moved on meanwhile: keep the newer snapshot.
    if (this.seen === expected) this.seen = snapshot;
    this.syncedAt = this.clock.now();
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
