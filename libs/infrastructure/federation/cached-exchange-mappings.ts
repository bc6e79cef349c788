import { LRUCache } from 'lru-cache';
import type {
  ExchangeMappingRepository,
  NewExchangeMapping,
} from '@tessera/application/exchange-token/exchange-mapping-repository.port';
import type { ExchangeMapping } from '@tessera/domain/federation/exchange-mapping';

/**
 * Every exchange reads its issuer's rules: held for `ttlMs` instead of a query (and a hundred
 * jsonb rows) per request. A change made on this node applies at once; one made elsewhere (the
 * CLI, another node) within `ttlMs`.
 */
export class CachedExchangeMappings implements ExchangeMappingRepository {
  private readonly cache: LRUCache<string, ExchangeMapping[]>;

  constructor(
    private readonly inner: ExchangeMappingRepository,
    ttlMs = 5000,
  ) {
    this.cache = new LRUCache({ max: 10_000, ttl: ttlMs });
  }

  async forIssuer(tenantId: string, trustedIssuerId: string): Promise<ExchangeMapping[]> {
    const key = `${tenantId}:${trustedIssuerId}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = await this.inner.forIssuer(tenantId, trustedIssuerId);
      this.cache.set(key, hit);
    }
    return [...hit];
  }

  async create(row: NewExchangeMapping): Promise<ExchangeMapping> {
    const created = await this.inner.create(row);
    this.cache.delete(`${row.tenantId}:${row.trustedIssuerId}`);
    return created;
  }

  async remove(tenantId: string, trustedIssuerId: string, id: string): Promise<boolean> {
    const removed = await this.inner.remove(tenantId, trustedIssuerId, id);
    this.cache.delete(`${tenantId}:${trustedIssuerId}`);
    return removed;
  }
}
