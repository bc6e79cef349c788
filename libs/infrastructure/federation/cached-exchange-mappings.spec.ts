import type { ExchangeMappingRepository } from '@tessera/application/exchange-token/exchange-mapping-repository.port';
import type { ExchangeMapping } from '@tessera/domain/federation/exchange-mapping';
import { CachedExchangeMappings } from './cached-exchange-mappings';

const rule = (id: string): ExchangeMapping => ({
  id,
  tenantId: 'org_a',
  trustedIssuerId: 'tis_a',
  priority: 100,
  match: { sub: '*' },
  scopes: [],
  role: null,
  claims: {},
  resources: [],
  createdAt: new Date(0),
});

describe('CachedExchangeMappings', () => {
  it('reads an issuer’s rules once per ttl, and again at once after a change on this node', async () => {
    let rows = [rule('xm_1')];
    let reads = 0;
    const inner: ExchangeMappingRepository = {
      forIssuer: async () => (reads++, [...rows]),
      create: async (m) => {
        const r = { ...rule('xm_2'), ...m };
        rows = [...rows, r];
        return r;
      },
      remove: async (_t, _i, id) => ((rows = rows.filter((r) => r.id !== id)), true),
    };
    const cached = new CachedExchangeMappings(inner, 60_000);
    await cached.forIssuer('org_a', 'tis_a');
    await cached.forIssuer('org_a', 'tis_a');
    expect(reads).toBe(1);
    await cached.create({ ...rule('xm_2'), tenantId: 'org_a', trustedIssuerId: 'tis_a' });
    expect((await cached.forIssuer('org_a', 'tis_a')).map((r) => r.id)).toEqual(['xm_1', 'xm_2']);
    await cached.remove('org_a', 'tis_a', 'xm_1');
    expect((await cached.forIssuer('org_a', 'tis_a')).map((r) => r.id)).toEqual(['xm_2']);
    expect(reads).toBe(3);
    // Another issuer is its own entry.
    await cached.forIssuer('org_a', 'tis_b');
    expect(reads).toBe(4);
  });
});
