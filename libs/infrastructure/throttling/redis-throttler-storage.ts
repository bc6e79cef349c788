import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
type Counting = {
  tesseraRateLimit(
    hitKey: string,
    blockKey: string,
    name: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<unknown>;
};

/**
 * The library's counters and Lua script, sent once: the library calls EVAL with the script's
 * source on every request, which Redis hashes and both sides copy each time. ioredis's
 * defineCommand sends EVALSHA (loading the script only when Redis does not have it).
 *
 * Counters have a connection of their own with auto-pipelining, so the counters of concurrent
 * requests share one write and one read on the socket. Only counters: auto-pipelining reports
 * a hung Redis differently, and the stores must keep turning that into 503 (their errors are
 * classified); a counter that fails is not counted (FailOpenStorage).
 */
export class RedisThrottlerStorage extends ThrottlerStorageRedisService {
  private readonly counting: Counting;
  private readonly own: Redis;

  constructor(shared: Redis) {
    const own = shared.duplicate({ enableAutoPipelining: true, lazyConnect: true });
    super(own);
    own.on('error', () => undefined); // FailOpenStorage logs what a failed count means
    void own.connect().catch(() => undefined); // ioredis reconnects by itself
    own.defineCommand('tesseraRateLimit', { numberOfKeys: 2, lua: this.scriptSrc });
    this.own = own;
    this.counting = own as unknown as Counting;
  }

  onApplicationShutdown(): void {
    this.own.disconnect();
  }

  override async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    // Same keys as the library's, so counts carry over across a rolling upgrade.
    const scope = `{${key}:${throttlerName}}`;
    const r = await this.counting.tesseraRateLimit(
      `${scope}:hits`,
      `${scope}:blocked`,
      throttlerName,
      ttl,
      limit,
      blockDuration,
    );
    if (!Array.isArray(r) || r.length !== 4 || r.some((v) => typeof v !== 'number')) {
      throw new TypeError('unexpected rate-limit counter reply from Redis');
    }
    const [totalHits, timeToExpire, isBlocked, timeToBlockExpire] = r as number[];
    return {
      totalHits: totalHits!,
      timeToExpire: Math.ceil(timeToExpire! / 1000),
      isBlocked: isBlocked === 1,
      timeToBlockExpire: Math.ceil(timeToBlockExpire! / 1000),
    };
  }
}
