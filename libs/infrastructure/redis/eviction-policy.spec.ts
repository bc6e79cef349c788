import { ConfigError } from '@tessera/config';
import { checkEvictionPolicy } from './redis.module';

const redisAnswering = (reply: unknown) => ({
  config: (() =>
    reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply)) as never,
});
const cfg = (production: boolean, evictionPolicyChecked = false) => ({
  production,
  redis: { evictionPolicyChecked },
});
const log = () => ({ warn: jest.fn(), log: jest.fn() });
const disabled = new Error("ERR unknown command 'CONFIG'");

describe('Redis eviction policy check at start', () => {
  it('noeviction: starts, says nothing', async () => {
    const l = log();
    await checkEvictionPolicy(redisAnswering(['maxmemory-policy', 'noeviction']), cfg(true), l);
    expect(l.warn).not.toHaveBeenCalled();
  });

  it('another policy: production refuses with one config line; development warns', async () => {
    const r = redisAnswering(['maxmemory-policy', 'allkeys-lru']);
    await expect(checkEvictionPolicy(r, cfg(true, true), log())).rejects.toThrow(ConfigError);
    const l = log();
    await checkEvictionPolicy(r, cfg(false), l);
    expect(l.warn).toHaveBeenCalledWith(expect.stringContaining('allkeys-lru'));
  });

  it('CONFIG disabled: production refuses unless REDIS_EVICTION_POLICY_CHECKED; development warns', async () => {
    const r = redisAnswering(disabled);
    const refusal = checkEvictionPolicy(r, cfg(true), log());
    await expect(refusal).rejects.toThrow(ConfigError);
    await expect(refusal).rejects.toThrow(/REDIS_EVICTION_POLICY_CHECKED/);
    await expect(checkEvictionPolicy(r, cfg(true, true), log())).resolves.toBeUndefined();
    const l = log();
    await checkEvictionPolicy(r, cfg(false), l);
    expect(l.warn).toHaveBeenCalledWith(expect.stringContaining('REDIS_EVICTION_POLICY_CHECKED'));
  });
});
