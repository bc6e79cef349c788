import type { TokenRecord, TokenRecords } from '@tessera/application/tokens/token-records.port';

const MAX_ROWS = 500;

interface Waiter {
  rows: readonly TokenRecord[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for token records: while one write is in flight, new rows wait and go in the
 * next one, one multi-row INSERT per tenant. Nothing is acknowledged before its row has
 * committed, so a token a caller holds always has its record; under load, many requests
 * share one transaction instead of paying four round trips each.
 */
export class GroupCommitTokenRecords implements TokenRecords {
  private queue: Waiter[] = [];
  private flushing = false;

  constructor(private readonly inner: TokenRecords) {}

  record(rows: readonly TokenRecord[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      // One group per tenant (RLS), at most MAX_ROWS rows each (bind-parameter limits).
      const groups = new Map<string, Waiter[][]>();
      for (const w of batch) {
        const t = w.rows[0]!.tenantId;
        const chunks = groups.get(t) ?? [[]];
        const last = chunks[chunks.length - 1]!;
        if (last.reduce((n, x) => n + x.rows.length, 0) + w.rows.length > MAX_ROWS)
          chunks.push([w]);
        else last.push(w);
        groups.set(t, chunks);
      }
      const byTenant = [...groups.values()].flat();
      await Promise.all(
        byTenant.map(async (waiters) => {
          try {
            await this.inner.record(waiters.flatMap((w) => w.rows));
            waiters.forEach((w) => w.resolve());
          } catch (e) {
            if (waiters.length === 1) return waiters[0]!.reject(e);
            // One caller's bad row must not fail the others it shared a write with.
            await Promise.all(
              waiters.map((w) => this.inner.record(w.rows).then(w.resolve, w.reject)),
            );
          }
        }),
      );
    }
    this.flushing = false;
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
