import { keySchedule, type ScheduledKey } from './key-schedule';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const policy = { publishDelayMs: 360_000, accessTtlMs: 900_000, leewayMs: 30_000 };
const statuses = (keys: ScheduledKey[], s: number) =>
  Object.fromEntries(keySchedule(keys, policy, at(s)).keys.map((k) => [k.kid, k.status]));

describe('keySchedule › key status is a pure function of stored times', () => {
  // A bootstrapped (activated at once), B rotated in at 1000 s.
  const A: ScheduledKey = { kid: 'A', createdAt: at(0), activatedAt: at(0) };
  const B: ScheduledKey = { kid: 'B', createdAt: at(1000) };
  const promoted = 1000 + 360;
  const aRetires = promoted + 900 + 30;

  it('a new key is staged (published, not signing) until the publish delay has passed', () => {
    expect(statuses([A, B], 1000)).toEqual({ A: 'active', B: 'staged' });
    expect(statuses([A, B], promoted - 1)).toEqual({ A: 'active', B: 'staged' });
    expect(keySchedule([A, B], policy, at(1001)).nextChangeAt).toEqual(at(promoted));
  });

  it('at the publish delay the staged key signs and the previous active one is retiring', () => {
    const s = keySchedule([A, B], policy, at(promoted));
    expect(s.active?.kid).toBe('B');
    expect(s.keys.find((k) => k.kid === 'A')).toMatchObject({
      status: 'retiring',
      retiringAt: at(promoted),
      retiredAt: at(aRetires),
    });
    expect(s.nextChangeAt).toEqual(at(aRetires));
  });

  it('a retiring key is retired once its last token has expired (TTL + leeway after it stopped signing)', () => {
    expect(statuses([A, B], aRetires - 1)).toEqual({ A: 'retiring', B: 'active' });
    expect(statuses([A, B], aRetires)).toEqual({ A: 'retired', B: 'active' });
  });

  it('a recorded longer-lived token (CLI mint) keeps its key published until it expires', () => {
    const maxExp = at(promoted + 86_400);
    const s = keySchedule([{ ...A, maxExp }, B], policy, at(aRetires));
    expect(s.keys.find((k) => k.kid === 'A')).toMatchObject({
      status: 'retiring',
      retiredAt: at(promoted + 86_400 + 30),
    });
    // A maxExp earlier than the TTL rule changes nothing.
    expect(statuses([{ ...A, maxExp: at(promoted + 5) }, B], aRetires)).toMatchObject({
      A: 'retired',
    });
  });

  it('a stored activation time wins over the computed one (the first writer decides)', () => {
    expect(statuses([A, { ...B, activatedAt: at(1200) }], 1200)).toEqual({
      A: 'retiring',
      B: 'active',
    });
  });

  it('a stored retirement retires at once; a hand-retired staged key never signs', () => {
    expect(statuses([A, { ...B, retiredAt: at(1100) }], 1100)).toEqual({
      A: 'active',
      B: 'retired',
    });
    expect(statuses([A, { ...B, retiredAt: at(1100) }], promoted + 5000)).toEqual({
      A: 'active',
      B: 'retired',
    });
  });

  it('two rotations: each key retires from its own successor', () => {
    const C: ScheduledKey = { kid: 'C', createdAt: at(2000) };
    const s = keySchedule([A, B, C], policy, at(2000 + 360));
    expect(s.active?.kid).toBe('C');
    expect(s.keys.find((k) => k.kid === 'B')).toMatchObject({
      status: 'retiring',
      retiringAt: at(2360),
    });
    expect(s.keys.find((k) => k.kid === 'A')?.status).toBe('retired');
  });

  it('no active key when nothing has activated yet; ties resolve the same way on every node', () => {
    expect(keySchedule([B], policy, at(1000)).active).toBeUndefined();
    const X: ScheduledKey = { kid: 'X', createdAt: at(0), activatedAt: at(0) };
    const Y: ScheduledKey = { kid: 'Y', createdAt: at(0), activatedAt: at(0) };
    expect(keySchedule([X, Y], policy, at(1)).active?.kid).toBe('Y');
    expect(keySchedule([Y, X], policy, at(1)).active?.kid).toBe('Y');
  });

  it('is the same answer whatever order the rows come in', () => {
    const C: ScheduledKey = { kid: 'C', createdAt: at(2000) };
    expect(statuses([C, B, A], 2100)).toEqual(statuses([A, B, C], 2100));
  });
});
