import { sign, type KeyObject } from 'node:crypto';

/**
 * Raw crypto.sign on this thread, no JWS around it: the ceiling one core reaches. Same
 * measurement as sign.ts's rawSingleThread, for RS256 keys (the HTTP bench's targets).
 */
export function rawRs256PerSecond(key: KeyObject, seconds: number): number {
  const data = Buffer.from('x'.repeat(400));
  for (let i = 0; i < 5; i++) sign('sha256', data, key); // first calls pay for setup
  const started = performance.now();
  const end = started + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    sign('sha256', data, key);
    n++;
  }
  return n / ((performance.now() - started) / 1000);
}
