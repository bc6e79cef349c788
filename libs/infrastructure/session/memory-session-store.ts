import type {
  ActiveSession,
  PendingLogin,
  SessionData,
} from '@tessera/application/session/session';
import type {
  SessionStore,
  SessionTimeouts,
} from '@tessera/application/session/session-store.port';
import {
  idpIndexes,
  idpIndexOf,
  matchesIdp,
  newPendingLogin,
  newSession,
  pendingHash,
  sessionRef,
  sessionTtl,
} from './session-id';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/** Single-node sessions (REDIS_URL unset): same contract as Redis, lost on restart. */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Entry<SessionData>>();
  private readonly pending = new Map<string, Entry<PendingLogin>>();
  /** IdP session / IdP user → session hashes, for back-channel logout. */
  private readonly byIdp = new Map<string, Set<string>>();

  constructor(private readonly t: SessionTimeouts) {}

  async create(data: SessionData): Promise<{ id: string; idHash: string }> {
    this.sweep();
    const { id, idHash, ttl } = newSession(data, this.t);
    this.sessions.set(idHash, { value: { ...data }, expiresAt: Date.now() + ttl * 1000 });
    for (const k of idpIndexes(data)) {
      const set = this.byIdp.get(k) ?? new Set<string>();
      this.byIdp.set(k, set.add(idHash));
    }
    return { id, idHash };
  }

  async get(id: string): Promise<ActiveSession | null> {
    const ref = sessionRef(id);
    if (!ref) return null;
    const entry = this.sessions.get(ref.idHash);
    if (!entry || entry.value.tenantId !== ref.tenantId) return null;
    const ttl = sessionTtl(entry.value.createdAt, this.t);
    if (entry.expiresAt <= Date.now() || ttl <= 0) {
      this.sessions.delete(ref.idHash);
      return null;
    }
    entry.expiresAt = Date.now() + ttl * 1000;
    return { ...entry.value, idHash: ref.idHash };
  }

  async destroy(id: string): Promise<void> {
    const ref = sessionRef(id);
    if (ref) this.sessions.delete(ref.idHash);
  }

  async endIdpSessions(issuer: string, match: { sid?: string; subject?: string }) {
    const key = idpIndexOf(issuer, match);
    const ended: { tenantId: string; userId: string }[] = [];
    for (const idHash of (key && this.byIdp.get(key)) || []) {
      const entry = this.sessions.get(idHash);
      if (entry && matchesIdp(entry.value, issuer, match)) {
        this.sessions.delete(idHash);
        ended.push({ tenantId: entry.value.tenantId, userId: entry.value.userId });
      }
    }
    return ended;
  }

  async savePending(login: PendingLogin): Promise<string> {
    this.sweep();
    const { id, idHash } = newPendingLogin();
    this.pending.set(idHash, {
      value: { ...login },
      expiresAt: Date.now() + this.t.pendingLoginTtl * 1000,
    });
    return id;
  }

  async takePending(id: string): Promise<PendingLogin | null> {
    const key = pendingHash(id);
    if (!key) return null;
    const entry = this.pending.get(key);
    this.pending.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry.value : null;
  }

  private sweep(): void {
    const now = Date.now();
    for (const map of [this.sessions, this.pending] as Map<string, Entry<unknown>>[]) {
      for (const [k, e] of map) if (e.expiresAt <= now) map.delete(k);
    }
    for (const [k, set] of this.byIdp) {
      for (const idHash of set) if (!this.sessions.has(idHash)) set.delete(idHash);
      if (!set.size) this.byIdp.delete(k);
    }
  }
}
