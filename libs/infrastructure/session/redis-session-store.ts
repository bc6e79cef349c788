import type Redis from 'ioredis';
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
import { DomainError } from '@tessera/domain/shared/domain-error';
import { whenRedisFails } from '../redis/redis-errors';

/** Redis down or refusing: 503 (retry shortly), never a 500. */
function unavailable(e: unknown): never {
  try {
    whenRedisFails(e);
  } catch (mapped) {
    if (mapped instanceof DomainError && mapped.code === 'temporarily_unavailable') {
      throw new DomainError('temporarily_unavailable', 'the session store is unavailable', {
        retryAfter: 1,
        cause: e,
      });
    }
    throw mapped;
  }
}

const sessionKey = (tenantId: string, idHash: string) => `tessera:${tenantId}:session:${idHash}`;
const pendingKey = (idHash: string) => `tessera:login:${idHash}`;
/**
 * Back-channel logout names an IdP session or user, not a tenant: these indexes are global.
 * Members are `<tenant id>:<session hash>`; a set lives as long as its newest session can.
 */
const idpKey = (entry: string) => `tessera:idp-${entry}`;

/**
 * Sessions shared by every node. Keys carry only the hash of the id; the Redis TTL is the
 * idle timeout, slid on each use and capped by what is left of the absolute one.
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly t: SessionTimeouts,
  ) {}

  async create(data: SessionData): Promise<{ id: string; idHash: string }> {
    const { id, idHash, ttl } = newSession(data, this.t);
    const member = `${data.tenantId}:${idHash}`;
    const tx = this.redis
      .multi()
      .set(sessionKey(data.tenantId, idHash), JSON.stringify(data), 'EX', ttl);
    for (const k of idpIndexes(data).map(idpKey)) tx.sadd(k, member).expire(k, this.t.absoluteTtl);
    await tx.exec().catch(unavailable);
    return { id, idHash };
  }

  async get(id: string): Promise<ActiveSession | null> {
    const ref = sessionRef(id);
    if (!ref) return null;
    const key = sessionKey(ref.tenantId, ref.idHash);
    const raw = await this.redis.get(key).catch(unavailable);
    if (!raw) return null;
    const data = JSON.parse(raw) as SessionData;
    const ttl = sessionTtl(data.createdAt, this.t);
    if (ttl <= 0 || data.tenantId !== ref.tenantId) {
      await this.redis.del(key).catch(unavailable);
      return null;
    }
    await this.redis.expire(key, ttl).catch(unavailable);
    return { ...data, idHash: ref.idHash };
  }

  async destroy(id: string): Promise<void> {
    const ref = sessionRef(id);
    if (ref) await this.redis.del(sessionKey(ref.tenantId, ref.idHash)).catch(unavailable);
  }

  async endIdpSessions(issuer: string, match: { sid?: string; subject?: string }) {
    const entry = idpIndexOf(issuer, match);
    if (!entry) return [];
    const key = idpKey(entry);
    const ended: { tenantId: string; userId: string }[] = [];
    try {
      for (const member of await this.redis.smembers(key)) {
        const [tenantId, idHash] = member.split(':');
        const sKey = sessionKey(tenantId!, idHash!);
        const raw = await this.redis.get(sKey);
        const data = raw ? (JSON.parse(raw) as SessionData) : null;
        if (data && !matchesIdp(data, issuer, match)) continue;
        if (data && (await this.redis.del(sKey)))
          ended.push({ tenantId: data.tenantId, userId: data.userId });
        await this.redis.srem(key, member);
      }
    } catch (e) {
      unavailable(e);
    }
    return ended;
  }

  async savePending(login: PendingLogin): Promise<string> {
    const { id, idHash } = newPendingLogin();
    await this.redis
      .set(pendingKey(idHash), JSON.stringify(login), 'EX', this.t.pendingLoginTtl)
      .catch(unavailable);
    return id;
  }

  async takePending(id: string): Promise<PendingLogin | null> {
    const hash = pendingHash(id);
    if (!hash) return null;
    const raw = await this.redis.getdel(pendingKey(hash)).catch(unavailable);
    return raw ? (JSON.parse(raw) as PendingLogin) : null;
  }
}
