import { DomainError } from '@tessera/domain/shared/domain-error';
import {
  slowTokenStore as slowStore,
  tick,
  tokenRecord as row,
} from '@tessera/testing/token-records-fakes';
import { GroupCommitTokenRecords } from './group-commit-token-records';

const busy = { code: 'temporarily_unavailable', retryAfter: 1 };

describe('GroupCommitTokenRecords › bounds', () => {
  it('a tenant over its queue limit is refused at once with 503 + Retry-After; another tenant is not', async () => {
    const { store, writes } = slowStore();
    const gc = new GroupCommitTokenRecords(store, { tenantQueueLimit: 2, queueLimit: 100 });
    const held = [gc.record([row('A', '1')]), gc.record([row('A', '2')])];
    await expect(gc.record([row('A', '3')])).rejects.toMatchObject(busy);
    await expect(gc.record([row('A', '3')])).rejects.toBeInstanceOf(DomainError);
    const b = gc.record([row('B', 'b')]);
    await tick();
    writes.forEach((w) => w.done());
    await tick();
    writes.forEach((w) => w.done());
    await Promise.all([...held, b]);
    expect(gc.heldRows()).toBe(0);
  });

  it('the overall limit counts rows queued and in flight, and frees them when written', async () => {
    const { store, writes } = slowStore();
    const gc = new GroupCommitTokenRecords(store, { queueLimit: 3, tenantQueueLimit: 3 });
    const first = gc.record([row('A', '1'), row('A', '2')]);
    const second = gc.record([row('B', '3')]);
    await expect(gc.record([row('C', '4')])).rejects.toMatchObject(busy);
    await tick();
    writes[0]!.done();
    await first;
    await tick();
    const c = gc.record([row('C', '4')]);
    await tick();
    writes.forEach((w) => w.done());
    await c;
    writes.forEach((w) => w.done());
    await second;
  });

  it('no more writes in flight than `writers`; tenants take turns for the slots', async () => {
    const { store, writes, jtis } = slowStore();
    const gc = new GroupCommitTokenRecords(store, { writers: 2 });
    const all = ['A', 'B', 'C'].map((t) => gc.record([row(t, t)]));
    await tick();
    expect(jtis()).toEqual([['A'], ['B']]);
    const a2 = gc.record([row('A', 'A2')]);
    writes[0]!.done(); // A's slot frees: C has waited longer than A's next row
    await tick();
    expect(jtis().slice(2)).toEqual([['C']]);
    writes[1]!.done();
    await tick();
    expect(jtis().slice(3)).toEqual([['A2']]);
    writes.slice(2).forEach((w) => w.done());
    await Promise.all([...all, a2]);
  });

  it('a tenant whose write is stuck holds one slot; other tenants keep committing', async () => {
    const { store, writes, jtis } = slowStore();
    const gc = new GroupCommitTokenRecords(store, { writers: 2 });
    void gc.record([row('A', 'stuck')]).catch(() => undefined);
    void gc.record([row('A', 'waits')]).catch(() => undefined);
    for (let i = 0; i < 3; i++) {
      const b = gc.record([row('B', `b${i}`)]);
      await tick();
      writes.at(-1)!.done();
      await b;
    }
    expect(jtis()).toEqual([['stuck'], ['b0'], ['b1'], ['b2']]);
  });

  it('a write the pool could not take fails its callers once with 503: no retry per caller', async () => {
    const { store, writes } = slowStore();
    const gc = new GroupCommitTokenRecords(store);
    const first = gc.record([row('A', '0')]);
    await tick();
    const callers = [1, 2, 3].map((i) => gc.record([row('A', String(i))]));
    writes[0]!.done();
    await first;
    await tick();
    expect(writes).toHaveLength(2);
    writes[1]!.fail(new Error('timeout exceeded when trying to connect'));
    for (const c of callers) await expect(c).rejects.toMatchObject(busy);
    expect(writes).toHaveLength(2);
  });

  it('a batch never carries more than maxRows rows', async () => {
    const { store, writes, jtis } = slowStore();
    const gc = new GroupCommitTokenRecords(store, { maxRows: 2 });
    const first = gc.record([row('A', '0')]);
    await tick();
    const rest = ['1', '2', '3'].map((j) => gc.record([row('A', j)]));
    writes[0]!.done();
    await first;
    await tick();
    expect(jtis().slice(1)).toEqual([['1', '2']]);
    writes[1]!.done();
    await tick();
    expect(jtis().slice(2)).toEqual([['3']]);
    writes[2]!.done();
    await Promise.all(rest);
  });
});
