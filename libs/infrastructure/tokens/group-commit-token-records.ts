import type { TokenRecord, TokenRecords } from '@tessera/application/tokens/token-records.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { databaseBusy, isDatabaseUnavailable } from '../postgres/pg-unavailable';
import { pgError } from '../postgres/pg-errors';

export interface GroupCommitOptions {
  /** Rows held (queued or being written) at most; beyond it callers get 503 + Retry-After. */
  queueLimit?: number;
  /** The same per tenant, so one stuck tenant cannot use up everyone's room. */
  tenantQueueLimit?: number;
  /** Writes in flight at most: a share of the connection pool, never all of it. */
  writers?: number;
  /** Rows per INSERT (bind-parameter limits). */
  maxRows?: number;
  retryAfterSeconds?: number;
}

interface Waiter {
  rows: readonly TokenRecord[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface TenantQueue {
  waiters: Waiter[];
  /** Rows held for this tenant, queued or in flight. */
  held: number;
  writing: boolean;
  ready: boolean;
}

/** A refusal that belongs to one caller's row (not a member any more, a bad value). */
const isRowError = (e: unknown) => e instanceof DomainError || /^23/.test(pgError(e).code ?? '');

/**
 * Group commit for token records: rows that arrive while their tenant's write is in flight go
 * together in its next one (one multi-row INSERT under that tenant's RLS). Nothing is
 * acknowledged before its row has committed, so a token a caller holds always has its record.
 *
 * Bounded: each tenant has at most one write in flight and tenants take turns for the
 * `writers` slots, so a tenant whose writes are stuck (a lock, a slow disk) holds one slot and
 * its own queue, never another tenant's rows. The rows held are capped overall and per tenant;
 * past a cap the caller is refused at once with 503 + Retry-After instead of queueing without
 * end. A write the database could not take (pool timeout, connection lost, statement timeout)
 * fails all its callers with that 503 once, without retrying each of them against the same
 * saturated pool; only a refusal of one caller's row is retried row by row, one at a time.
 */
export class GroupCommitTokenRecords implements TokenRecords {
  private readonly tenants = new Map<string, TenantQueue>();
  private readonly turn: string[] = [];
  private held = 0;
  private writing = 0;
  private readonly o: Required<GroupCommitOptions>;

  constructor(
    private readonly inner: TokenRecords,
    opts: GroupCommitOptions = {},
  ) {
    this.o = {
      queueLimit: 10_000,
      tenantQueueLimit: 2000,
      writers: 4,
      maxRows: 500,
      retryAfterSeconds: 1,
      ...opts,
    };
  }

  /** Rows queued or being written (for metrics and tests). */
  heldRows(): number {
    return this.held;
  }

  record(rows: readonly TokenRecord[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const tenantId = rows[0]!.tenantId;
    const q = this.tenants.get(tenantId) ?? { waiters: [], held: 0, writing: false, ready: false };
    if (
      this.held + rows.length > this.o.queueLimit ||
      q.held + rows.length > this.o.tenantQueueLimit
    ) {
      return Promise.reject(databaseBusy(this.o.retryAfterSeconds));
    }
    this.tenants.set(tenantId, q);
    q.held += rows.length;
    this.held += rows.length;
    return new Promise((resolve, reject) => {
      q.waiters.push({ rows, resolve, reject });
      this.schedule(tenantId, q);
      this.pump();
    });
  }

  private schedule(tenantId: string, q: TenantQueue): void {
    if (q.writing || q.ready || q.waiters.length === 0) return;
    q.ready = true;
    this.turn.push(tenantId);
  }

  private pump(): void {
    while (this.writing < this.o.writers && this.turn.length) {
      const tenantId = this.turn.shift()!;
      const q = this.tenants.get(tenantId)!;
      q.ready = false;
      const batch: Waiter[] = [];
      let n = 0;
      while (
        q.waiters.length &&
        (batch.length === 0 || n + q.waiters[0]!.rows.length <= this.o.maxRows)
      ) {
        const w = q.waiters.shift()!;
        batch.push(w);
        n += w.rows.length;
      }
      q.writing = true;
      this.writing++;
      void this.write(batch).finally(() => {
        this.writing--;
        q.writing = false;
        q.held -= n;
        this.held -= n;
        if (q.waiters.length) this.schedule(tenantId, q);
        else if (q.held === 0) this.tenants.delete(tenantId);
        this.pump();
      });
    }
  }

  private async write(batch: Waiter[]): Promise<void> {
    try {
      await this.inner.record(batch.flatMap((w) => w.rows));
      batch.forEach((w) => w.resolve());
    } catch (e) {
      if (batch.length === 1 || !isRowError(e)) {
        const err = isDatabaseUnavailable(e) ? databaseBusy(this.o.retryAfterSeconds, e) : e;
        return batch.forEach((w) => w.reject(err));
      }
      // One caller's bad row must not fail the others it shared a write with.
      for (const w of batch) {
        await this.inner
          .record(w.rows)
          .then(w.resolve, (e2: unknown) =>
            w.reject(isDatabaseUnavailable(e2) ? databaseBusy(this.o.retryAfterSeconds, e2) : e2),
          );
      }
    }
  }

  get(tenantId: string, jti: string) {
    return this.inner.get(tenantId, jti);
  }

  list(tenantId: string, filter: Parameters<TokenRecords['list']>[1]) {
    return this.inner.list(tenantId, filter);
  }

  markRevoked(tenantId: string, by: Parameters<TokenRecords['markRevoked']>[1]) {
    return this.inner.markRevoked(tenantId, by);
  }
}
