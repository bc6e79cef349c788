import { refreshInvalid } from '@tessera/domain/refresh/refresh.errors';
import type {
  FinishedRotation,
  PeekResult,
  RefreshStore,
} from '@tessera/domain/refresh/refresh-store.port';
import type { RefreshRecord } from '@tessera/domain/refresh/refresh-token';
import { systemClock, type Clock } from '@tessera/domain/shared/clock.port';

interface Entry {
  record: RefreshRecord;
  consumedAt?: Date;
}
interface Family {
  revoked: boolean;
  accessJtis: Set<string>;
  /** The latest expiry of any member: the family is forgotten only after all of them. */
  expiresAt: number;
}

/** How often expired entries are swept, at most: a sweep walks every entry. */
const SWEEP_EVERY_MS = 60_000;

/**
 * The embedded single-node store: the same semantics as RedisRefreshStore, in this process.
 * Atomicity comes from the event loop (no method awaits between reading and writing), and
 * tokens are lost with the process, which for a refresh token only means signing in again.
 */
export class MemoryRefreshStore implements RefreshStore {
  private readonly tokens = new Map<string, Entry>();
  private readonly families = new Map<string, Family>();
  private lastSweep = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  save(hash: string, record: RefreshRecord): Promise<void> {
    const now = this.now();
    if (record.expiresAt.getTime() <= now) return Promise.resolve();
    const family = this.family(record, now) ?? {
      revoked: false,
      accessJtis: new Set(),
      expiresAt: 0,
    };
    // As in Redis: a family revoked while its successor was minted takes no new member.
    if (family.revoked) return Promise.reject(refreshInvalid());
    family.accessJtis.add(record.accessJti);
    family.expiresAt = Math.max(family.expiresAt, record.expiresAt.getTime());
    this.families.set(familyKey(record.tenantId, record.familyId), family);
    this.tokens.set(hash, { record: structuredClone(record) });
    return Promise.resolve();
  }

  async finishRotation(f: FinishedRotation): Promise<void> {
    const existing = this.tokens.get(f.successorHash);
    await this.save(f.successorHash, f.successor);
    const saved = this.tokens.get(f.successorHash);
    if (existing?.consumedAt && saved) saved.consumedAt = existing.consumedAt;
    const old = this.live(f.oldHash, this.now());
    if (old) old.consumedAt ??= new Date(f.consumedAt);
  }

  revokeFamily(tenantId: string, familyId: string): Promise<string[]> {
    const family = this.families.get(familyKey(tenantId, familyId));
    if (!family || family.expiresAt <= this.now()) return Promise.resolve([]);
    family.revoked = true;
    return Promise.resolve([...family.accessJtis]);
  }

  peek(hash: string): Promise<PeekResult | undefined> {
    const now = this.now();
    const entry = this.live(hash, now);
    if (!entry) return Promise.resolve(undefined);
    const record = structuredClone(entry.record);
    if (this.family(record, now)?.revoked) return Promise.resolve({ state: 'revoked', record });
    return Promise.resolve({ state: entry.consumedAt ? 'consumed' : 'live', record });
  }

  private live(hash: string, now: number): Entry | undefined {
    const entry = this.tokens.get(hash);
    if (entry && entry.record.expiresAt.getTime() > now) return entry;
    if (entry) this.tokens.delete(hash);
    return undefined;
  }

  private family(record: RefreshRecord, now: number): Family | undefined {
    const f = this.families.get(familyKey(record.tenantId, record.familyId));
    return f && f.expiresAt > now ? f : undefined;
  }

  /** Reads the clock, and now and then drops what has expired so memory stays bounded. */
  private now(): number {
    const now = this.clock.now().getTime();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return now;
    this.lastSweep = now;
    for (const [hash, e] of this.tokens) {
      if (e.record.expiresAt.getTime() <= now) this.tokens.delete(hash);
    }
    for (const [key, f] of this.families) if (f.expiresAt <= now) this.families.delete(key);
    return now;
  }

  /** For tests and metrics: how many tokens and families are held. */
  size(): { tokens: number; families: number } {
    return { tokens: this.tokens.size, families: this.families.size };
  }
}

const familyKey = (tenantId: string, familyId: string) => `${tenantId} ${familyId}`;
