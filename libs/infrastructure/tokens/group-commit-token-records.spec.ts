import type { TokenRecord, TokenRecords } from '@tessera/application/tokens/token-records.port';
import { GroupCommitTokenRecords } from './group-commit-token-records';

const row = (tenantId: string, jti: string): TokenRecord => ({
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

/** A fake store whose writes finish when the test says so. */
function slowStore() {
  const writes: { rows: readonly TokenRecord[]; done: () => void; fail: (e: Error) => void }[] = [];
  const store: TokenRecords = {
    record: (rows) => new Promise((done, fail) => writes.push({ rows, done, fail })),
    get: async () => undefined,
    list: async () => [],
    markRevoked: async () => [],
  };
  return { store, writes };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommitTokenRecords', () => {
  it('rows arriving during a write go together in the next one, per tenant; none resolves before its write', async () => {
    const { store, writes } = slowStore();
    const gc = new GroupCommitTokenRecords(store);
    const settled: string[] = [];
    const first = gc.record([row('A', '1')]).then(() => settled.push('1'));
    await tick();
    expect(writes).toHaveLength(1);
    const others = [
      gc.record([row('A', '2')]),
      gc.record([row('B', '3')]),
      gc.record([row('A', '4')]),
    ].map((p, i) => p.then(() => settled.push(String(i + 2))));
    await tick();
    expect(writes).toHaveLength(1); // still waiting for the first write
    writes[0]!.done();
    await first;
    await tick();
    expect(settled).toEqual(['1']);
    expect(writes.slice(1).map((w) => w.rows.map((r) => r.jti))).toEqual([['2', '4'], ['3']]);
    writes[1]!.done();
    writes[2]!.done();
    await Promise.all(others);
    expect(settled.sort()).toEqual(['1', '2', '3', '4']);
  });

  it('a shared write that fails is retried per caller: only the bad row’s caller fails', async () => {
    const { store, writes } = slowStore();
    const gc = new GroupCommitTokenRecords(store);
    const first = gc.record([row('A', '0')]);
    await tick();
    const good = gc.record([row('A', 'good')]);
    const bad = gc.record([row('A', 'bad')]);
    writes[0]!.done();
    await first;
    await tick();
    writes[1]!.fail(new Error('fk')); // the shared write of good + bad
    await tick();
    const retries = writes.slice(2);
    expect(retries.map((w) => w.rows.map((r) => r.jti))).toEqual([['good'], ['bad']]);
    retries[0]!.done();
    retries[1]!.fail(new Error('fk'));
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('fk');
  });

  it('a failed write rejects exactly the callers whose rows it carried', async () => {
    const { store, writes } = slowStore();
    const gc = new GroupCommitTokenRecords(store);
    const p = gc.record([row('A', '1')]);
    await tick();
    writes[0]!.fail(new Error('down'));
    await expect(p).rejects.toThrow('down');
    const q = gc.record([row('A', '2')]);
    await tick();
    writes[1]!.done();
    await expect(q).resolves.toBeUndefined();
  });
});
