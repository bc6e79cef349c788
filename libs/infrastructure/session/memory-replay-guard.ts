import type { ReplayGuard } from '@tessera/application/sign-in/logout-token.port';

/** Single-node one-time values (REDIS_URL unset): same contract as Redis, lost on restart. */
export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();

  async firstUse(key: string, ttlSeconds: number): Promise<boolean> {
    const now = Date.now();
    for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
    if (this.seen.has(key)) return false;
    this.seen.set(key, now + ttlSeconds * 1000);
    return true;
  }

  async forget(key: string): Promise<void> {
    this.seen.delete(key);
  }
}
