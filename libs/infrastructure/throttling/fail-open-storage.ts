import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type Record_ = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * When Redis is unreachable the limits fail open: refusing every request because a counter
 * store is down would turn a Redis outage into a full outage. Logged once per minute at most.
 */
export class FailOpenStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly log = new Logger('RateLimit');
  private lastWarn = 0;

  constructor(private readonly inner: ThrottlerStorage) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<Record_> {
    try {
      return await this.inner.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (e) {
      if (Date.now() - this.lastWarn > 60_000) {
        this.lastWarn = Date.now();
        this.log.warn(`rate-limit store unavailable, not limiting: ${(e as Error).message}`);
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  onApplicationShutdown(): void {
    (this.inner as Partial<OnApplicationShutdown>).onApplicationShutdown?.();
  }
}
