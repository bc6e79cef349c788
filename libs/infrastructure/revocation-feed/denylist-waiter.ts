import type { RevocationWaiter } from '@tessera/application/revocation-feed/revocation-feed.ports';

/**
 * Long polls wait for the denylist replica to learn of a new denial: it hears of every
 * revocation on any node at once (Redis pub/sub or LISTEN/NOTIFY), and of a lost message at
 * the next resync (DENYLIST_SYNC_INTERVAL). Every token-revoked event comes with a denial.
 */
export class DenylistWaiter implements RevocationWaiter {
  private readonly waiting = new Set<() => void>();
  private closed = false;
  private count = 0;

  constructor(onDenied: (listener: () => void) => unknown) {
    onDenied(() => {
      this.count++;
      const all = [...this.waiting];
      this.waiting.clear();
      for (const wake of all) wake();
    });
  }

  heard(): number {
    return this.count;
  }

  wait(ms: number, signal?: AbortSignal, since?: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (since !== undefined && this.count !== since) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        signal?.removeEventListener('abort', done);
        resolve(!this.closed);
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Shutdown: every held poll answers now (empty), before the database goes away. */
  close(): void {
    this.closed = true;
    const all = [...this.waiting];
    this.waiting.clear();
    for (const done of all) done();
  }

  /** How many polls are held open (metrics, tests). */
  size(): number {
    return this.waiting.size;
  }
}
