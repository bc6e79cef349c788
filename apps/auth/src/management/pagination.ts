import { DomainError } from '@tessera/domain/shared/domain-error';

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

const bad = (why: string) => new DomainError('invalid_request', why);

export function pageLimit(raw: unknown, fallback = 50): number {
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 200)) throw bad('limit is an integer from 1 to 200');
  return n;
}

/** Cursors are opaque to callers: base64url JSON of where the previous page ended. */
export const encodeCursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function decodeCursor<T>(raw: unknown, valid: (v: unknown) => v is T): T | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length > 512) throw bad('malformed cursor');
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad('malformed cursor');
  }
  if (!valid(v)) throw bad('malformed cursor');
  return v;
}

export const isAfterId = (v: unknown): v is { after: string } =>
  typeof (v as { after?: unknown })?.after === 'string' &&
  (v as { after: string }).after.length <= 128;

/** A page from `limit + 1` rows fetched after the cursor (the extra one says "more"). */
export function pageOf<T extends { id: string }, V>(
  rows: readonly T[],
  limit: number,
  view: (t: T) => V,
): Page<V> {
  const items = rows.slice(0, limit);
  return {
    items: items.map(view),
    next_cursor: rows.length > limit ? encodeCursor({ after: items[items.length - 1]!.id }) : null,
  };
}

/**
 * One page of an id-ordered list (TypeIDs sort by creation time): for lists a use case
 * returns whole (a tenant's clients, resource servers; the tenants).
 */
export function pageById<T extends { id: string }, V>(
  rows: readonly T[],
  query: { limit?: unknown; cursor?: unknown },
  view: (t: T) => V,
): Page<V> {
  const limit = pageLimit(query.limit);
  const after = decodeCursor(query.cursor, isAfterId)?.after;
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((r) => r.id > after);
  const items = rest.slice(0, limit);
  const more = rest.length > limit;
  return {
    items: items.map(view),
    next_cursor: more ? encodeCursor({ after: items[items.length - 1]!.id }) : null,
  };
}
