import type { KeyStatus } from './signing-key';

/** What the schedule needs of a stored key: times only, never key material. */
export interface ScheduledKey {
  kid: string;
  /** When the key was stored, and so first published (database time). */
  createdAt: Date;
  /** Stored once a promotion was written, or at insert for a key activated at once. */
  activatedAt?: Date | null;
  /** Set by `keys retire` or written when the automatic retirement was observed. */
  retiredAt?: Date | null;
  /** The latest exp of a token signed with this key beyond the access-token TTL (CLI mints). */
  maxExp?: Date | null;
}

export interface SchedulePolicy {
  /** How long a staged key is published before it signs: JWKS cache lifetime + reload + margin. */
  publishDelayMs: number;
  /** The longest lifetime of a token the server signs without recording it (ACCESS_TOKEN_TTL). */
  accessTtlMs: number;
  /** Verifiers accept an exp this far in the past (CLOCK_SKEW_LEEWAY). */
  leewayMs: number;
}

export interface KeyState {
  kid: string;
  status: KeyStatus;
  /** When it signed (or will sign) first. */
  activatedAt: Date;
  /** When a successor took over: the key signs nothing after this. */
  retiringAt?: Date;
  /** When it leaves the JWKS: now or in the past for retired keys. */
  retiredAt?: Date;
}

export interface Schedule {
  keys: KeyState[];
  /** The one signer, or undefined when no key has become active (bootstrap). */
  active?: KeyState;
  /** The next instant any key's status changes, so a node can re-evaluate exactly then. */
  nextChangeAt?: Date;
}

const t = (d: Date) => d.getTime();
const later = (a: Date, b?: Date | null) => (b && t(b) > t(a) ? b : a);

/**
 * Every key's status as a pure function of stored times and one clock (the database's), so
 * every node and the CLI reach the same answer without talking to each other:
 *   - a key activates at activatedAt, or createdAt + publishDelay when none is stored yet;
 *   - the active key is the non-retired one that activated last (ties: older row, then kid);
 *   - an earlier activated key is retiring from its successor's activation, and retired once
 *     every token it signed has expired: max(successor + accessTtl, maxExp) + leeway;
 *   - a stored retiredAt in the past retires a key whatever else holds.
 * A key retired by hand drops out of the succession, so its predecessor retires later, never
 * earlier: the conservative direction.
 */
export function keySchedule(
  keys: readonly ScheduledKey[],
  policy: SchedulePolicy,
  now: Date,
): Schedule {
  const states: KeyState[] = [];
  let nextChangeAt: Date | undefined;
  const consider = (d: Date) => {
    if (t(d) > t(now) && (!nextChangeAt || t(d) < t(nextChangeAt))) nextChangeAt = d;
  };
  const live: { key: ScheduledKey; activatedAt: Date }[] = [];
  for (const key of keys) {
    const activatedAt = key.activatedAt ?? new Date(t(key.createdAt) + policy.publishDelayMs);
    if (key.retiredAt && t(key.retiredAt) <= t(now)) {
      states.push({ kid: key.kid, status: 'retired', activatedAt, retiredAt: key.retiredAt });
    } else {
      live.push({ key, activatedAt });
      if (key.retiredAt) consider(key.retiredAt);
    }
  }
  live.sort(
    (a, b) =>
      t(a.activatedAt) - t(b.activatedAt) ||
      t(a.key.createdAt) - t(b.key.createdAt) ||
      (a.key.kid < b.key.kid ? -1 : a.key.kid > b.key.kid ? 1 : 0),
  );
  const activated = live.filter((l) => t(l.activatedAt) <= t(now));
  let active: KeyState | undefined;
  for (const { key, activatedAt } of live) {
    const i = activated.findIndex((a) => a.key === key);
    if (i < 0) {
      states.push({ kid: key.kid, status: 'staged', activatedAt });
      consider(activatedAt);
    } else if (i === activated.length - 1) {
      active = { kid: key.kid, status: 'active', activatedAt };
      states.push(active);
    } else {
      const retiringAt = activated[i + 1]!.activatedAt;
      const lastExp = later(new Date(t(retiringAt) + policy.accessTtlMs), key.maxExp);
      const retiredAt = new Date(t(lastExp) + policy.leewayMs);
      const status = t(retiredAt) <= t(now) ? 'retired' : 'retiring';
      states.push({ kid: key.kid, status, activatedAt, retiringAt, retiredAt });
      if (status === 'retiring') consider(retiredAt);
    }
  }
  return { keys: states, active, nextChangeAt };
}
