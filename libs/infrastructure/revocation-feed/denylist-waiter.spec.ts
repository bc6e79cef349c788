import { DenylistWaiter } from './denylist-waiter';

describe('DenylistWaiter', () => {
  let fire: () => void;
  const waiter = () =>
    new DenylistWaiter((l) => {
      fire = l;
    });

  it('a new denial wakes every held poll at once', async () => {
    const w = waiter();
    const held = [w.wait(60_000), w.wait(60_000)];
    expect(w.size()).toBe(2);
    fire();
    await expect(Promise.all(held)).resolves.toEqual([true, true]);
    expect(w.size()).toBe(0);
  });

  it('a denial heard after since (between the store query and the wait) › resolves at once, not at the deadline', async () => {
    const w = waiter();
    const since = w.heard();
    fire(); // the revocation lands while the poll's store query runs
    await expect(w.wait(60_000, undefined, since)).resolves.toBe(true);
    expect(w.size()).toBe(0);
    // Nothing new since: it is held again.
    const held = w.wait(60_000, undefined, w.heard());
    expect(w.size()).toBe(1);
    fire();
    await expect(held).resolves.toBe(true);
  });

  it('nothing happens: resolves after the wait, still open', async () => {
    await expect(waiter().wait(5)).resolves.toBe(true);
  });

  it('the receiver went away: the wait ends and lets go of it', async () => {
    const w = waiter();
    const gone = new AbortController();
    const held = w.wait(60_000, gone.signal);
    gone.abort();
    await expect(held).resolves.toBe(true);
    expect(w.size()).toBe(0);
  });

  it('shutdown: held polls resolve false at once, later ones do not wait', async () => {
    const w = waiter();
    const held = w.wait(60_000);
    w.close();
    await expect(held).resolves.toBe(false);
    await expect(w.wait(60_000)).resolves.toBe(false);
  });
});
