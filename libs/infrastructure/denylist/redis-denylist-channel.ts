import { once } from 'node:events';
import type Redis from 'ioredis';
import type { DenylistChannel } from './denylist-channel';

export const REDIS_DENYLIST_CHANNEL = 'tessera:denylist';

/** Redis pub/sub, when REDIS_URL is set: a subscriber needs a connection of its own. */
export class RedisDenylistChannel implements DenylistChannel {
  private sub?: Redis;

  constructor(
    private readonly redis: Redis,
    private readonly warn: (message: string) => void,
  ) {}

  inTransaction(): Promise<void> {
    return Promise.resolve();
  }

  async afterCommit(messages: string[]): Promise<void> {
    for (const m of messages) await this.redis.publish(REDIS_DENYLIST_CHANNEL, m);
  }

  async subscribe(onMessage: (m: string) => void, onResubscribed: () => void): Promise<void> {
    const sub = this.redis.duplicate();
    this.sub = sub;
    let connectedBefore = false;
    sub.on('error', (e: Error) => this.warn(`denylist subscriber: ${e.message}`));
    sub.on('message', (channel: string, m: string) => {
      if (channel === REDIS_DENYLIST_CHANNEL) onMessage(m);
    });
    // ioredis resubscribes by itself on every reconnect ('ready'); what it cannot do is
    // replay what was published in between, hence the resync.
    sub.on('ready', () => {
      if (connectedBefore) onResubscribed();
      connectedBefore = true;
    });
    // A lazy client (RedisModule's) waits for connect(); an eager one is already on its way.
    if (sub.status === 'wait') await sub.connect();
    else if (sub.status !== 'ready') await once(sub, 'ready');
    await sub.subscribe(REDIS_DENYLIST_CHANNEL);
  }

  async close(): Promise<void> {
    const sub = this.sub;
    if (!sub) return;
    // QUIT lets the server close the socket; if Redis is down, just drop it.
    await sub.quit().catch(() => sub.disconnect());
  }
}
