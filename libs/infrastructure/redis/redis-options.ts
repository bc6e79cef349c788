import type { RedisOptions } from 'ioredis';

/**
 * The ioredis options of every Tessera process, in one place. Both retry a command once, then
 * fail. The server fails fast while Redis is down or hung (no offline queue, a command
 * timeout) so its callers answer 503, and keeps reconnecting; a CLI command lets its commands
 * wait for the first connect, as it has nothing else to do.
 */
export function redisOptions(use: 'server' | 'cli'): RedisOptions {
  if (use === 'cli')
    return { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 3000 };
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A hung (not dead) Redis must also turn into a quick 503, not a hanging request.
    commandTimeout: 1000,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  };
}
