/** Fakes for unit specs of what sits in front of a TokenRecords store (group commit). */
import type { TokenRecord, TokenRecords } from '@tessera/application/tokens/token-records.port';

/** An access-token record of `tenantId` with the given jti. */
export const tokenRecord = (tenantId: string, jti: string): TokenRecord => ({
  jti,
  tenantId,
  kind: 'access',
  subject: 's',
  clientId: 'c',
  scopes: [],
  createdVia: 'cli',
  createdAt: new Date(),
  expiresAt: new Date(),
});

/** A fake store whose writes finish when the test says so; `jtis` lists each write's jtis. */
export function slowTokenStore() {
  const writes: { rows: readonly TokenRecord[]; done: () => void; fail: (e: Error) => void }[] = [];
  const store: TokenRecords = {
    record: (rows) => new Promise((done, fail) => writes.push({ rows, done, fail })),
    get: async () => undefined,
    list: async () => [],
    markRevoked: async () => [],
  };
  const jtis = () => writes.map((w) => w.rows.map((r) => r.jti));
  return { store, writes, jtis };
}

/** One turn of the event loop: lets queued promise callbacks and I/O run. */
export const tick = () => new Promise((r) => setImmediate(r));
