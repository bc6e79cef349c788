import { LRUCache } from 'lru-cache';
import type { ResourceServer } from '@tessera/domain/resource/resource-server';
import type {
  NewResourceServer,
  ResourceServerRepository,
} from '@tessera/application/resource-servers/resource-server-repository.port';

/**
 * The token endpoint looks up every `resource` it is asked for; resource servers change
 * rarely. Found ones are kept for `ttlMs` (unknown ones are not: they must not fill the
 * cache), like clients (cached-client-lookup.ts): a disable reaches other nodes within ttlMs.
 */
export class CachedResourceServers implements ResourceServerRepository {
  private readonly cache: LRUCache<string, ResourceServer>;

  constructor(
    private readonly inner: ResourceServerRepository,
    ttlMs = 3000,
  ) {
    this.cache = new LRUCache({ max: 10_000, ttl: ttlMs });
  }

  async findByIdentifier(
    tenantId: string,
    identifier: string,
  ): Promise<ResourceServer | undefined> {
    const key = `${tenantId} ${identifier}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const found = await this.inner.findByIdentifier(tenantId, identifier);
    if (found) this.cache.set(key, found);
    return found;
  }

  create(rs: NewResourceServer): Promise<ResourceServer> {
    return this.inner.create(rs);
  }

  list(tenantId: string): Promise<ResourceServer[]> {
    return this.inner.list(tenantId);
  }

  async disable(tenantId: string, id: string): Promise<boolean> {
    this.cache.clear();
    return this.inner.disable(tenantId, id);
  }

  setClientResources(tenantId: string, clientId: string, identifiers: string[]): Promise<boolean> {
    return this.inner.setClientResources(tenantId, clientId, identifiers);
  }
}
