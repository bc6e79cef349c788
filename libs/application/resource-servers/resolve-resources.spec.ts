import type { Client } from '@tessera/domain/token/client';
import type { ResourceServer } from '@tessera/domain/resource/resource-server';
import { ResolveResources, scopesForTargets } from './resolve-resources';

const rs = (identifier: string, over: Partial<ResourceServer> = {}): ResourceServer => ({
  id: 'rs_x',
  tenantId: 'org_a',
  identifier,
  scopes: ['read', 'write'],
  clientId: 'cli_rs',
  status: 'active',
  createdAt: new Date(),
  ...over,
});
const servers: Record<string, ResourceServer> = {
  'https://a': rs('https://a'),
  'https://b': rs('https://b', { scopes: ['read'] }),
  'https://off': rs('https://off', { status: 'disabled' }),
};
const client: Client = {
  id: 'cli_c',
  tenantId: 'org_a',
  name: 'c',
  secretHash: Buffer.alloc(32),
  grants: ['client_credentials'],
  scopes: ['read', 'write', 'admin'],
  status: 'active',
  resources: ['https://a', 'https://b', 'https://off'],
};
const resolve = new ResolveResources({
  findByIdentifier: async (tenantId, id) => (tenantId === 'org_a' ? servers[id] : undefined),
});

describe('RFC 8707 › ResolveResources', () => {
  it('no resource: no targets (the default audience stays)', async () => {
    expect(await resolve.execute(client, [])).toBeUndefined();
  });

  it('allowed resources: their identifiers, once each, and the union of their scopes', async () => {
    const t = await resolve.execute(client, ['https://a', 'https://b', 'https://a']);
    expect(t!.audience).toEqual(['https://a', 'https://b']);
    expect([...t!.scopes].sort()).toEqual(['read', 'write']);
  });

  it.each([['https://off'], ['https://unknown'], ['/relative']])(
    '%s → invalid_target',
    async (r) => {
      await expect(resolve.execute(client, [r])).rejects.toMatchObject({ code: 'invalid_target' });
    },
  );

  it('a resource the client is not allowed → invalid_target, without a lookup', async () => {
    await expect(
      resolve.execute({ ...client, resources: [] }, ['https://a']),
    ).rejects.toMatchObject({ code: 'invalid_target' });
  });

  it('scope: defaults to what the resources offer; a scope none offers → invalid_scope', async () => {
    const t = await resolve.execute(client, ['https://b']);
    expect(scopesForTargets(t, undefined, client.scopes)).toEqual(['read']);
    expect(() => scopesForTargets(t, ['write'], client.scopes)).toThrow(
      expect.objectContaining({ code: 'invalid_scope' }) as Error,
    );
    expect(scopesForTargets(undefined, undefined, client.scopes)).toEqual(client.scopes);
  });
});
