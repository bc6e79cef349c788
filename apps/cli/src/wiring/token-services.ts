import Redis from 'ioredis';
import type { AuditLog } from '@tessera/application/ports/audit-log.port';
import { noopMetrics } from '@tessera/application/ports/metrics.port';
import { ManageClients } from '@tessera/application/manage-clients/manage-clients.use-case';
import { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';
import { systemClock } from '@tessera/domain/shared/clock.port';
import { TenantKeys, tenantKeyOptions } from '@tessera/infrastructure/crypto/tenant-keys';
import { TokenIssuer } from '@tessera/domain/token/token-issuer';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import { openKeyRing } from '@tessera/infrastructure/crypto/open-key-ring';
import {
  issuerSettings,
  revokeAllTokens,
  revokeToken,
  tokenSettings,
} from '@tessera/infrastructure/tokens/token-composition';
import { TypeOrmClientRepository } from '@tessera/infrastructure/tokens/typeorm-client.repository';
import { TypeOrmTokenRecords } from '@tessera/infrastructure/tokens/typeorm-token-records';
import { TypeOrmTokenRecordRetention } from '@tessera/infrastructure/tokens/typeorm-token-record-retention';
import { TypeOrmRefreshLedger } from '@tessera/infrastructure/tokens/typeorm-refresh-ledger';
import { RedisRefreshStore } from '@tessera/infrastructure/refresh/redis-refresh-store.adapter';
import { RevokeTokenUseCase } from '@tessera/application/revoke-token/revoke-token.use-case';
import { RevokeAllTokensUseCase } from '@tessera/application/revoke-token/revoke-all-tokens.use-case';
import { invalidToken } from '@tessera/domain/token/token.errors';
import { createDenylist } from '@tessera/infrastructure/denylist/denylist.module';
import { ManageResourceServers } from '@tessera/application/resource-servers/manage-resource-servers.use-case';
import { ResolveResources } from '@tessera/application/resource-servers/resolve-resources';
import { TypeOrmResourceServers } from '@tessera/infrastructure/tokens/typeorm-resource-servers';
import { redisOptions } from '@tessera/infrastructure/redis/redis-options';
import { cliAuditLog } from './cli-audit';
import { withCliDatabase, type CliDatabase } from './cli-database';
import { forTenant } from './tenant-flag';

export interface TokenServices extends CliDatabase {
  clients: ManageClients;
  resourceServers: ManageResourceServers;
  /** RFC 8707 checks for `token mint --resources`, as the token endpoint does them. */
  resolveResources: ResolveResources;
  records: TypeOrmTokenRecords;
  retention: TypeOrmTokenRecordRetention;
  audit: AuditLog;
  /** Signing needs the server's keys: loaded only by commands that mint. */
  issuer(): Promise<IssueTokenUseCase>;
  /** Refresh tokens live where the server keeps them: Redis, or nowhere the CLI can reach. */
  redis(): Redis | undefined;
  revoker(): RevokeTokenUseCase;
  /** Every token of a client or subject, as the server would revoke them. */
  revokeAll(): RevokeAllTokensUseCase;
}

/** withCliDatabase plus the token lifecycle's adapters, assembled by hand (no Nest here). */
export function withTokenServices<T>(fn: (s: TokenServices) => Promise<T>): Promise<T> {
  return withCliDatabase(async (db) => {
    let redis: Redis | undefined;
    const audit = cliAuditLog(db);
    const records = new TypeOrmTokenRecords(db.dataSource);
    const servers = new TypeOrmResourceServers(db.dataSource);
    const services: TokenServices = {
      ...db,
      audit,
      records,
      retention: new TypeOrmTokenRecordRetention(db.tx),
      clients: new ManageClients(new TypeOrmClientRepository(db.dataSource), audit),
      resourceServers: new ManageResourceServers(servers, audit),
      resolveResources: new ResolveResources(servers),
      revoker: () => {
        throw new Error('assigned below');
      },
      revokeAll: () => {
        throw new Error('assigned below');
      },
      redis: () => {
        if (!db.cfg.redis.url) return undefined;
        redis ??= new Redis(db.cfg.redis.url, redisOptions('cli'));
        return redis;
      },
      issuer: async () => {
        // The server's keys, chosen as the server chooses them; a tenant's own in tenant mode.
        const ring = await openKeyRing(db.cfg, db.dataSource, { log: () => undefined, warn });
        const tenants =
          db.cfg.issuerMode === 'tenant'
            ? new TenantKeys(
                db.dataSource,
                db.tx,
                undefined,
                tenantKeyOptions(db.cfg, { log: () => undefined, warn }),
              ).signers()
            : undefined;
        const issuer = new TokenIssuer(ring, systemClock, issuerSettings(db.cfg), tenants);
        const r = services.redis();
        const store: RefreshStore | undefined = r
          ? new RedisRefreshStore(r, systemClock)
          : undefined;
        return new IssueTokenUseCase(
          issuer,
          store ?? refreshUnavailable,
          records,
          noopMetrics,
          tokenSettings(db.cfg),
        );
      },
    };
    const warn = (m: string) => process.stderr.write(`tessera: ${m}\n`);
    const denylist = () =>
      createDenylist({
        tx: db.tx,
        redis: services.redis() ?? null,
        appUrl: db.appUrl,
        cfg: db.cfg,
        warn,
      });
    const revocation = () => {
      const r = services.redis();
      return {
        refresh: r ? new RedisRefreshStore(r, systemClock) : noRefreshStore,
        denylist: denylist(),
        metrics: noopMetrics,
      };
    };
    services.revoker = () =>
      revokeToken(
        {
          ...revocation(),
          // The CLI revokes by jti only: it never needs to verify a presented token.
          verifier: { verify: async () => Promise.reject(invalidToken()) },
          records,
          audit,
          ledger: new TypeOrmRefreshLedger(db.dataSource),
          clock: systemClock,
        },
        db.cfg,
      );
    services.revokeAll = () => revokeAllTokens({ ...revocation(), ds: db.dataSource }, db.cfg);
    try {
      return await fn(services);
    } finally {
      await redis?.quit().catch(() => redis?.disconnect());
    }
  });
}

/** `withTokenServices` for a command about one tenant: the one `--tenant` names. */
export const withTenantServices = <T>(
  slug: string | undefined,
  fn: (s: TokenServices, tenantId: string) => Promise<T>,
): Promise<T> => withTokenServices(forTenant(slug, fn));

const unavailable = (): never => {
  throw new Error(
    'refresh tokens need REDIS_URL: without it the server keeps them in its own memory',
  );
};
/** Without Redis the server's refresh tokens are out of reach; Postgres records still revoke. */
const noRefreshStore: RefreshStore = {
  save: unavailable,
  finishRotation: unavailable,
  revokeFamily: async () => [],
  peek: async () => undefined,
};
const refreshUnavailable: RefreshStore = {
  save: unavailable,
  finishRotation: unavailable,
  revokeFamily: unavailable,
  peek: unavailable,
};
