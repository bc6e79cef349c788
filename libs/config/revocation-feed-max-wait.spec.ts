import { loadConfig } from './config';

/** The feed's long-poll hold stays below the resource-server library's poll timeout (30 s). */
describe('REVOCATION_FEED_MAX_WAIT', () => {
  const load = (v: string) => loadConfig({ REVOCATION_FEED_MAX_WAIT: v } as NodeJS.ProcessEnv);

  it.each(['1s', '20s', '25s'])('%s is accepted', (v) => {
    expect(load(v).revocationFeed.maxWait).toBe(Number.parseInt(v, 10));
  });

  it.each(['26s', '60s', '2m', '0s'])('%s is refused naming the variable', (v) => {
    expect(() => load(v)).toThrow(/REVOCATION_FEED_MAX_WAIT/);
  });
});
