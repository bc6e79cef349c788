import type { EntityManager } from 'typeorm';
import type { DenylistEntry } from '@tessera/domain/revocation/denylist.port';

/**
 * How one node tells the others "these jtis are denied". At most once, by design: whatever a
 * channel loses, the periodic resync from Postgres recovers within DENYLIST_SYNC_INTERVAL.
 */
export interface DenylistChannel {
  /** Inside the insert's transaction (a Postgres NOTIFY is delivered only if it commits). */
  inTransaction(em: EntityManager, messages: string[]): Promise<void>;
  /** After the commit (a Redis PUBLISH must not announce a row that might roll back). */
  afterCommit(messages: string[]): Promise<void>;
  /** `onResubscribed` runs after each reconnect: messages sent meanwhile were lost. */
  subscribe(onMessage: (message: string) => void, onResubscribed: () => void): Promise<void>;
  close(): Promise<void>;
}

/** A denied jti and when its token expires (epoch ms): all a node needs to deny it. */
export type WireEntry = [jti: string, expiresAtMs: number];

/** NOTIFY payloads stop at 8000 bytes: 40 entries of a 128-character jti stay well below. */
const PER_MESSAGE = 40;

export function encodeEntries(entries: readonly DenylistEntry[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < entries.length; i += PER_MESSAGE) {
    const chunk = entries.slice(i, i + PER_MESSAGE);
    out.push(JSON.stringify(chunk.map((e): WireEntry => [e.jti, e.expiresAt.getTime()])));
  }
  return out;
}

/** Anything malformed is ignored: the resync is the authority, a message only a shortcut. */
export function decodeEntries(message: string): WireEntry[] {
  try {
    const parsed: unknown = JSON.parse(message);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (e): e is WireEntry => Array.isArray(e) && typeof e[0] === 'string' && Number.isFinite(e[1]),
    );
  } catch {
    return [];
  }
}
