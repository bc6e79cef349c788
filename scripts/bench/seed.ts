import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { withTokenServices } from '../../apps/cli/src/wiring/token-services';
import type { Services } from './bench-stack';
import { ISSUER } from './bench-stack';

export interface Seeded {
  tenantId: string;
  clientId: string;
  secret: string;
  /** Unused refresh tokens bound to the client, one per first request of a connection. */
  refreshTokens: string[];
  /** A resource server the client may ask tokens for (RFC 8707), with its credentials. */
  resourceServer: { identifier: string; clientId: string; secret: string };
}

/**
 * A tenant, a client allowed both grants, and a pool of refresh tokens, made with the CLI's
 * own wiring (`tenant create`, `client create`, `token mint --with-refresh`) in this process:
 * a CLI process per refresh token would take minutes.
 */
export async function seed(
  svc: Services,
  keysDir: string,
  dataDir: string,
  refreshTokens: number,
): Promise<Seeded> {
  // The CLI wiring reads its configuration from the environment, like the server does.
  Object.assign(process.env, {
    NODE_ENV: 'production',
    ISSUER,
    DATA_DIR: path.join(dataDir, 'cli'),
    DATABASE_URL: svc.appUrl,
    DATABASE_ADMIN_URL: svc.ownerUrl,
    MIGRATIONS_RUN: 'never',
    REDIS_URL: svc.redisUrl,
    SIGNING_KEYS_DIR: keysDir,
  });
  return withTokenServices(async (s) => {
    const slug = `bench-${randomBytes(3).toString('hex')}`;
    const tenant = await s.tenants.create(slug, 'Benchmark');
    const { client, secret } = await s.clients.create(
      tenant.id,
      { name: 'bench', grants: ['client_credentials', 'refresh_token'], scopes: ['read', 'write'] },
      'bench',
    );
    const identifier = `https://${slug}.bench.test/api`;
    const rs = await s.resourceServers.create(
      tenant.id,
      { identifier, scopes: ['read', 'write'] },
      'bench',
    );
    await s.resourceServers.allow(tenant.id, client.id, [identifier], 'bench');
    const issue = await s.issuer();
    const mint = () =>
      issue.execute({
        tenantId: tenant.id,
        subject: 'bench-user',
        clientId: client.id,
        scopes: ['read', 'write'],
        grant: 'cli',
        withRefresh: true,
      });
    const pool: string[] = [];
    while (pool.length < refreshTokens) {
      const batch = await Promise.all(Array.from({ length: 8 }, mint));
      pool.push(...batch.map((m) => m.refresh_token!));
    }
    return {
      tenantId: tenant.id,
      clientId: client.id,
      secret,
      refreshTokens: pool,
      resourceServer: { identifier, clientId: rs.server.clientId, secret: rs.secret },
    };
  });
}
