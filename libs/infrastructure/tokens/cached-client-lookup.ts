import { LRUCache } from 'lru-cache';
import type { Client } from '@tessera/domain/token/client';
import type {
  ClientRepository,
  NewClient,
} from '@tessera/application/tokens/client-repository.port';

/**
 * Client authentication happens on every token, revoke and introspect request; the client row
 * changes rarely. Found clients are kept for `ttlMs` (unknown ids are not: they must not fill
 * the cache). A rotation or disable on this node takes effect here at once and on other
 * nodes within `ttlMs`.
 */
export class CachedClientRepository implements ClientRepository {
  private readonly cache: LRUCache<string, Client>;

  constructor(
    private readonly inner: ClientRepository,
    ttlMs = 3000,
  ) {
    this.cache = new LRUCache({ max: 10_000, ttl: ttlMs });
  }

  async findForAuthentication(clientId: string): Promise<Client | undefined> {
    const hit = this.cache.get(clientId);
    if (hit) return hit;
    const found = await this.inner.findForAuthentication(clientId);
    if (found) this.cache.set(clientId, found);
    return found;
  }

  create(client: NewClient): Promise<Client> {
    return this.inner.create(client);
  }

  list(tenantId: string): Promise<Client[]> {
    return this.inner.list(tenantId);
  }

  async rotateSecret(tenantId: string, clientId: string, secretHash: Buffer): Promise<boolean> {
    this.cache.delete(clientId);
    return this.inner.rotateSecret(tenantId, clientId, secretHash);
  }

  async disable(tenantId: string, clientId: string): Promise<boolean> {
    this.cache.delete(clientId);
    return this.inner.disable(tenantId, clientId);
  }
}
