import { LRUCache } from 'lru-cache';
import type { TenantStatusReader } from '@tessera/application/tokens/tenant-status.port';

/**
 * Every verification asks for the tenant's status; a few seconds of staleness is the price of
 * not querying Postgres per request. Disabling a tenant takes effect within `ttlMs` everywhere.
 */
export class CachedTenantStatus implements TenantStatusReader {
  private readonly cache: LRUCache<string, { s: 'active' | 'disabled' | 'missing' }>;

  constructor(
    private readonly source: TenantStatusReader,
    ttlMs = 5000,
  ) {
    this.cache = new LRUCache({ max: 10_000, ttl: ttlMs });
  }

  async status(tenantId: string): Promise<'active' | 'disabled' | undefined> {
    let hit = this.cache.get(tenantId);
    if (!hit) {
      hit = { s: (await this.source.status(tenantId)) ?? 'missing' };
      this.cache.set(tenantId, hit);
    }
    return hit.s === 'missing' ? undefined : hit.s;
  }

  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }
}
