import type Redis from 'ioredis';
import type { ReplayGuard } from '@tessera/application/sign-in/logout-token.port';

const onceKey = (key: string) => `tessera:once:${key}`;

/** One-time values shared by every node: SET NX with a TTL is the check and the mark at once. */
export class RedisReplayGuard implements ReplayGuard {
  constructor(private readonly redis: Redis) {}

  async firstUse(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(onceKey(key), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async forget(key: string): Promise<void> {
    await this.redis.del(onceKey(key));
  }
}
