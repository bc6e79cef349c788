import { DomainError } from '@tessera/domain/shared/domain-error';
import {
  slowTokenStore as slowStore,
  tick,
  tokenRecord as row,
} from '@tessera/testing/token-records-fakes';
import { GroupCommitTokenRecords } from './group-commit-token-records';

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
    // A's rows wait for A's write in flight; B does not wait for A.
    expect(writes.map((w) => w.rows.map((r) => r.jti))).toEqual([['1'], ['3']]);
    writes[0]!.done();
    await first;
    await tick();
    expect(settled).toEqual(['1']);
    expect(writes.slice(2).map((w) => w.rows.map((r) => r.jti))).toEqual([['2', '4']]);
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
    const fk = () => new DomainError('access_denied', 'fk');
    writes[1]!.fail(fk()); // the shared write of good + bad
    await tick();
    // Retried one at a time: the retries never take more connections than the batch did.
    expect(writes.slice(2).map((w) => w.rows.map((r) => r.jti))).toEqual([['good']]);
    writes[2]!.done();
    await tick();
    expect(writes.slice(3).map((w) => w.rows.map((r) => r.jti))).toEqual([['bad']]);
    writes[3]!.fail(fk());
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
