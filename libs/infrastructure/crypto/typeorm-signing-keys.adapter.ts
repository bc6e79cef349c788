import type { DataSource, EntityManager } from 'typeorm';
import {
  keySchedule,
  type KeyState,
  type Schedule,
  type SchedulePolicy,
  type ScheduledKey,
} from '@tessera/domain/keys/key-schedule';
import type { KeyStatus } from '@tessera/domain/keys/signing-key';
import type { PublicJwk, SigningAlg } from '@tessera/domain/token/token-signer.port';

/** A signing_keys row; `sealed` is the AES-GCM blob, never plaintext. */
export interface StoredKey extends ScheduledKey {
  alg: SigningAlg;
  publicJwk: PublicJwk;
  sealed: Buffer | null;
  storedStatus: KeyStatus;
}

export interface KeySnapshot {
  rows: StoredKey[];
  /** The database's clock when the rows were read: every node schedules by this one clock. */
  dbNow: Date;
  schedule: Schedule;
}

export interface NewKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: PublicJwk;
  sealed: Buffer;
}

/**
 * Where a key set lives: the platform's signing_keys, or one tenant's rows of
 * tenant_signing_keys (every statement inside a transaction scoped to that tenant by RLS, so none
 * can reach another's keys; the tenant is named only through that transaction's setting).
 */
export interface KeyTable {
  table: string;
  /** Every writer of this set (nodes settling or rotating, the CLI) serializes on this lock. */
  lockKey: string;
  /** Tenant tables: the insert's tenant_id is the transaction's app.tenant_id. */
  tenantScoped: boolean;
  /**
   * A condition every statement adds: RLS alone would admit the right rows, but its policies
   * (tenant OR cross-tenant) are an OR the planner cannot use an index for, so each read of one
   * tenant's keys would scan every tenant's.
   */
  scope: string;
  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T>;
  /** Unlocked reads (the platform table: no transaction needed). */
  read<T>(fn: (em: EntityManager) => Promise<T>): Promise<T>;
}

export const platformKeyTable = (ds: DataSource): KeyTable => ({
  table: 'tessera.signing_keys',
  lockKey: 'tessera:signing_keys',
  tenantScoped: false,
  scope: 'true',
  transaction: (fn) => ds.transaction(fn),
  read: (fn) => fn(ds.manager),
});

const COLUMNS = `kid, alg, public_jwk, private_key_enc, status, created_at, activated_at, retired_at, max_exp`;

interface Row {
  kid: string;
  alg: SigningAlg;
  public_jwk: PublicJwk;
  private_key_enc: Buffer | null;
  status: KeyStatus;
  created_at: Date;
  activated_at: Date | null;
  retired_at: Date | null;
  max_exp: Date | null;
}

const toStored = (r: Row): StoredKey => ({
  kid: r.kid,
  alg: r.alg,
  publicJwk: r.public_jwk,
  sealed: r.private_key_enc,
  storedStatus: r.status,
  createdAt: r.created_at,
  activatedAt: r.activated_at,
  retiredAt: r.retired_at,
  maxExp: r.max_exp,
});

/** TypeORM's raw result for UPDATE … RETURNING is [rows, count]; for SELECT, rows. */
const returned = (r: unknown): unknown[] =>
  Array.isArray(r) && Array.isArray(r[0]) ? (r[0] as unknown[]) : (r as unknown[]);

/** The stored status column lags the schedule for this key (a writer then settles it). */
const lags = (k: KeyState, row: StoredKey) =>
  k.status !== row.storedStatus ||
  ((k.status === 'active' || k.status === 'retiring') && !row.activatedAt);

export const needsSettling = (s: KeySnapshot): boolean =>
  s.schedule.keys.some((k) =>
    lags(
      k,
      s.rows.find((r) => r.kid === k.kid)!,
    ),
  );

/**
 * tessera.signing_keys through the app role (global table, no tenant). Reads take no lock;
 * every write takes one advisory lock, re-reads and recomputes the schedule at the database's
 * now(), so two nodes (or a node and the CLI) racing write the same values once.
 */
export class TypeOrmSigningKeys {
  private readonly t: KeyTable;

  constructor(
    ds: DataSource,
    private readonly policy: SchedulePolicy,
    table?: KeyTable,
  ) {
    this.t = table ?? platformKeyTable(ds);
  }

  /** The keys still published (plus every key with `all`), read without a lock. */
  snapshot(all = false): Promise<KeySnapshot> {
    return this.t.read((em) => this.read(em, all));
  }

  /** Writes the transitions the schedule says are due; idempotent. */
  settle(all = false): Promise<KeySnapshot> {
    return this.locked(async (em) => {
      await this.apply(em, await this.read(em, true));
      return this.read(em, all);
    });
  }

  /**
   * Inserts a key: staged, or active at once when no key is active (bootstrap). With
   * `onlyIfNoActive` nothing is inserted when some key is active (two nodes bootstrapping).
   */
  insert(
    key: NewKey,
    opts: { onlyIfNoActive?: boolean; onlyIfNewestOlderThanMs?: number } = {},
  ): Promise<KeySnapshot | undefined> {
    return this.locked(async (em) => {
      const before = await this.read(em, true);
      await this.apply(em, before);
      const activate = !before.schedule.active;
      if (opts.onlyIfNoActive && !activate) return undefined;
      // Automatic rotation: re-checked under the lock, so of two nodes racing one inserts and
      // the other finds the successor already there (a node that was down catches up once).
      if (opts.onlyIfNewestOlderThanMs !== undefined && !activate) {
        const live = before.rows.filter((r) => !r.retiredAt || r.retiredAt > before.dbNow);
        const newest = Math.max(...live.map((r) => r.createdAt.getTime()));
        if (newest + opts.onlyIfNewestOlderThanMs > before.dbNow.getTime()) return undefined;
      }
      await this.insertRow(em, key, activate ? 'active' : 'staged');
      return this.read(em, true);
    });
  }

  /**
   * Emergency revocation: the key leaves the set now and, when it was the signer (or no other
   * key is active), `successor` signs at once, skipping the publish delay. Returns the key's
   * state as it was before, or the reason it may not: unknown or already retired.
   */
  revoke(
    kid: string,
    reason: string,
    successor: NewKey,
    after?: (em: EntityManager, revoked: KeyState) => Promise<void>,
  ): Promise<
    { revoked: KeyState; snapshot: KeySnapshot; successor?: string } | 'unknown' | 'retired'
  > {
    return this.locked(async (em) => {
      const before = await this.read(em, true);
      await this.apply(em, before);
      const state = before.schedule.keys.find((k) => k.kid === kid);
      if (!state) return 'unknown';
      if (state.status === 'retired') return 'retired';
      await em.query(
        `UPDATE ${this.t.table} SET status = 'retired', retired_at = clock_timestamp(),
                revoked_reason = $2 WHERE ${this.t.scope} AND kid = $1`,
        [kid, reason],
      );
      let made: string | undefined;
      if (state.status === 'active') {
        await this.insertRow(em, successor, 'active');
        made = successor.kid;
      }
      await after?.(em, state);
      return { revoked: state, snapshot: await this.read(em, true), successor: made };
    });
  }

  private async insertRow(em: EntityManager, key: NewKey, status: 'active' | 'staged') {
    const tenant = this.t.tenantScoped ? `current_setting('app.tenant_id', true), ` : '';
    await em.query(
      `INSERT INTO ${this.t.table}
         (${this.t.tenantScoped ? 'tenant_id, ' : ''}kid, alg, public_jwk, private_key_enc, status, created_at, activated_at)
       SELECT ${tenant}$1, $2, $3::jsonb, $4, $5::text, t, CASE WHEN $5::text = 'active' THEN t END
         FROM (SELECT clock_timestamp() AS t) c`,
      [key.kid, key.alg, JSON.stringify(key.publicJwk), key.sealed, status],
    );
  }

  /**
   * Retires a staged or retiring key now. Returns the snapshot, or the reason it may not:
   * the active key is refused, an unknown kid is reported.
   */
  retire(kid: string): Promise<KeySnapshot | 'unknown' | 'active'> {
    return this.locked(async (em) => {
      const before = await this.read(em, true);
      await this.apply(em, before);
      const state = before.schedule.keys.find((k) => k.kid === kid);
      if (!state) return 'unknown';
      if (state.status === 'active') return 'active';
      await em.query(
        `UPDATE ${this.t.table} SET status = 'retired', retired_at = clock_timestamp()
          WHERE ${this.t.scope} AND kid = $1
            AND (retired_at IS NULL OR retired_at > clock_timestamp())`,
        [kid],
      );
      return this.read(em, true);
    });
  }

  /** Before signing a token that outlives ACCESS_TOKEN_TTL; false when the key is retired. */
  async recordExp(kid: string, exp: Date): Promise<boolean> {
    const r = await this.t.transaction((em) =>
      em.query(
        `UPDATE ${this.t.table} SET max_exp = GREATEST(max_exp, $2)
          WHERE ${this.t.scope} AND kid = $1 AND retired_at IS NULL RETURNING kid`,
        [kid, exp],
      ),
    );
    return returned(r).length === 1;
  }

  private locked<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.t.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [this.t.lockKey]);
      return fn(em);
    });
  }

  private async read(em: EntityManager, all: boolean): Promise<KeySnapshot> {
    const [{ now }] = (await em.query(`SELECT clock_timestamp() AS now`)) as [{ now: Date }];
    const rows = (
      (await em.query(
        `SELECT ${COLUMNS} FROM ${this.t.table}
          WHERE ${this.t.scope}
          ${all ? '' : 'AND (retired_at IS NULL OR retired_at > clock_timestamp())'}
          ORDER BY created_at, kid`,
      )) as Row[]
    ).map(toStored);
    return { rows, dbNow: now, schedule: keySchedule(rows, this.policy, now) };
  }

  /** Retirements, then demotions, then the promotion: the one-active index holds throughout. */
  private async apply(em: EntityManager, s: KeySnapshot): Promise<void> {
    if (!needsSettling(s)) return;
    const rank = { retired: 0, retiring: 1, staged: 2, active: 3 } as const;
    const due = [...s.schedule.keys].sort((a, b) => rank[a.status] - rank[b.status]);
    for (const k of due) {
      if (
        k.status === 'staged' ||
        !lags(
          k,
          s.rows.find((r) => r.kid === k.kid)!,
        )
      )
        continue;
      if (k.status === 'retired') {
        await em.query(
          `UPDATE ${this.t.table} SET status = 'retired', retired_at = coalesce(retired_at, $2)
            WHERE ${this.t.scope} AND kid = $1 AND status <> 'retired'`,
          [k.kid, k.retiredAt ?? s.dbNow],
        );
      } else {
        await em.query(
          `UPDATE ${this.t.table} SET status = $2, activated_at = coalesce(activated_at, $3)
            WHERE ${this.t.scope} AND kid = $1`,
          [k.kid, k.status, k.activatedAt],
        );
      }
    }
  }
}
