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
  hashSecret,
  isPendingId,
  newSecret,
  newSessionId,
  parseSessionId,
  remainingTtl,
} from './session-id';

const sessionKey = (tenantId: string, idHash: string) => `tessera:${tenantId}:session:${idHash}`;
const pendingKey = (idHash: string) => `tessera:login:${idHash}`;

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
    const { id, secret } = newSessionId(data.tenantId);
    const idHash = hashSecret(secret);
    const ttl = remainingTtl(data.createdAt, this.t.idleTtl, this.t.absoluteTtl);
    await this.redis.set(sessionKey(data.tenantId, idHash), JSON.stringify(data), 'EX', ttl);
    return { id, idHash };
  }

  async get(id: string): Promise<ActiveSession | null> {
    const parsed = parseSessionId(id);
    if (!parsed) return null;
    const idHash = hashSecret(parsed.secret);
    const key = sessionKey(parsed.tenantId, idHash);
    const raw = await this.redis.get(key);
    if (!raw) return null;
    const data = JSON.parse(raw) as SessionData;
    const ttl = remainingTtl(data.createdAt, this.t.idleTtl, this.t.absoluteTtl);
    if (ttl <= 0 || data.tenantId !== parsed.tenantId) {
      await this.redis.del(key);
      return null;
    }
    await this.redis.expire(key, ttl);
    return { ...data, idHash };
  }

  async destroy(id: string): Promise<void> {
    const parsed = parseSessionId(id);
    if (parsed) await this.redis.del(sessionKey(parsed.tenantId, hashSecret(parsed.secret)));
  }

  async savePending(login: PendingLogin): Promise<string> {
    const id = newSecret();
    await this.redis.set(
      pendingKey(hashSecret(id)),
      JSON.stringify(login),
      'EX',
      this.t.pendingLoginTtl,
    );
    return id;
  }

  async takePending(id: string): Promise<PendingLogin | null> {
    if (!isPendingId(id)) return null;
    const raw = await this.redis.getdel(pendingKey(hashSecret(id)));
    return raw ? (JSON.parse(raw) as PendingLogin) : null;
  }
}
