import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import { systemClock, type Clock } from '@tessera/domain/shared/clock.port';
import { TokenIssuer } from '@tessera/domain/token/token-issuer';
import type { TokenSigner } from '@tessera/domain/token/token-signer.port';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import type { Denylist } from '@tessera/domain/revocation/denylist.port';
import type { Metrics } from '@tessera/application/ports/metrics.port';
import type { AuditLog } from '@tessera/application/ports/audit-log.port';
import type { ClientRepository } from '@tessera/application/tokens/client-repository.port';
import type { TokenRecords } from '@tessera/application/tokens/token-records.port';
import type { TenantStatusReader } from '@tessera/application/tokens/tenant-status.port';
import type { TokenSettings } from '@tessera/application/tokens/token-settings';
import { ManageClients } from '@tessera/application/manage-clients/manage-clients.use-case';
import { AuthenticateClient } from '@tessera/application/authenticate-client/authenticate-client.use-case';
import { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';
import { RotateRefreshUseCase } from '@tessera/application/rotate-refresh/rotate-refresh.use-case';
import { RevokeTokenUseCase } from '@tessera/application/revoke-token/revoke-token.use-case';
import { IntrospectTokenUseCase } from '@tessera/application/introspect-token/introspect-token.use-case';
import { VerifyAccessToken } from '@tessera/application/verify-access-token/verify-access-token.use-case';
import { TypeOrmClientRepository } from './typeorm-client.repository';
import { CachedClientRepository } from './cached-client-lookup';
import { TypeOrmTokenRecords } from './typeorm-token-records';
import { GroupCommitTokenRecords } from './group-commit-token-records';
import { CachedTenantStatus } from './cached-tenant-status';
import { ResolveResources } from '@tessera/application/resource-servers/resolve-resources';
import type { ResourceServerRepository } from '@tessera/application/resource-servers/resource-server-repository.port';
import { TypeOrmResourceServers } from './typeorm-resource-servers';
import { CachedResourceServers } from './cached-resource-servers';
import { TypeOrmTokenRecordRetention } from './typeorm-token-record-retention';
import { TokenRecordPruning } from './token-record-pruning';
import { PruneTokenRecords } from '@tessera/application/prune-token-records/prune-token-records.use-case';
import type { TokenRecordRetention } from '@tessera/application/tokens/token-record-retention.port';
import type { TenantTransactions } from '../postgres/tenant-transaction';
import { TypeOrmRefreshLedger } from './typeorm-refresh-ledger';
import type { TenantKeys } from '../crypto/tenant-keys';
import type { RefreshLedger } from '@tessera/application/tokens/refresh-ledger.port';
import type { MembershipReader } from '@tessera/application/rotate-refresh/rotate-refresh.use-case';

import { issuerSettings, revokeAllTokens, revokeToken, tokenSettings } from './token-composition';

const SETTINGS = Symbol('TokenSettings');
const LEDGER = Symbol('RefreshLedger');

/** Binds the token lifecycle's ports to adapters and assembles its use cases. */
@Global()
@Module({
  providers: [
    { provide: DI.Clock, useValue: systemClock },
    {
      provide: SETTINGS,
      inject: [APP_CONFIG],
      useFactory: tokenSettings,
    },
    {
      provide: DI.TokenIssuer,
      inject: [DI.TokenSigner, DI.Clock, APP_CONFIG, DI.TenantKeys],
      useFactory: (signer: TokenSigner, clock: Clock, cfg: AppConfig, tenants: TenantKeys | null) =>
        new TokenIssuer(signer, clock, issuerSettings(cfg), tenants?.signers()),
    },
    {
      provide: DI.Clients,
      inject: [DataSource, APP_CONFIG],
      useFactory: (ds: DataSource, cfg: AppConfig) =>
        new CachedClientRepository(new TypeOrmClientRepository(ds), {
          negativeTtlMs: cfg.clients.negativeCacheMs,
        }),
    },
    { provide: DI.ClientLookupCost, useExisting: DI.Clients },
    {
      provide: DI.ResourceServers,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new CachedResourceServers(new TypeOrmResourceServers(ds)),
    },
    {
      provide: DI.ResolveResources,
      inject: [DI.ResourceServers],
      useFactory: (r: ResourceServerRepository) => new ResolveResources(r),
    },
    {
      provide: DI.TokenRecords,
      inject: [DataSource, APP_CONFIG],
      useFactory: (ds: DataSource, cfg: AppConfig) =>
        new GroupCommitTokenRecords(new TypeOrmTokenRecords(ds), {
          queueLimit: cfg.tokenRecords.queueLimit,
          tenantQueueLimit: cfg.tokenRecords.tenantQueueLimit,
          writers: cfg.tokenRecords.writers,
        }),
    },
    {
      provide: DI.TokenRecordRetention,
      inject: [DI.TenantTransactions],
      useFactory: (tx: TenantTransactions) => new TypeOrmTokenRecordRetention(tx),
    },
    {
      provide: DI.PruneTokenRecords,
      inject: [DI.TokenRecordRetention, APP_CONFIG],
      useFactory: (r: TokenRecordRetention, cfg: AppConfig) =>
        new PruneTokenRecords(r, {
          retention: cfg.tokenRecords.retention,
          batch: cfg.tokenRecords.pruneBatch,
        }),
    },
    {
      provide: TokenRecordPruning,
      inject: [DI.PruneTokenRecords, APP_CONFIG],
      useFactory: (p: PruneTokenRecords, cfg: AppConfig) =>
        new TokenRecordPruning(p, cfg.tokenRecords.pruneIntervalMs),
    },
    {
      provide: LEDGER,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new TypeOrmRefreshLedger(ds),
    },
    {
      provide: DI.TenantStatus,
      inject: [DI.Tenants],
      useFactory: (t: TenantStatusReader) => new CachedTenantStatus(t),
    },
    {
      provide: DI.AuthenticateClient,
      inject: [DI.Clients, DI.TenantStatus],
      useFactory: (c: ClientRepository, t: TenantStatusReader) => new AuthenticateClient(c, t),
    },
    {
      provide: DI.ManageClients,
      inject: [DI.Clients, DI.AuditLog],
      useFactory: (c: ClientRepository, a: AuditLog) => new ManageClients(c, a),
    },
    {
      provide: DI.IssueToken,
      inject: [DI.TokenIssuer, DI.RefreshStore, DI.TokenRecords, DI.Metrics, SETTINGS],
      useFactory: (
        i: TokenIssuer,
        s: RefreshStore,
        r: TokenRecords,
        m: Metrics,
        st: TokenSettings,
      ) => new IssueTokenUseCase(i, s, r, m, st),
    },
    {
      provide: DI.RevokeToken,
      inject: [
        DI.AnyAudienceVerifier,
        DI.RefreshStore,
        DI.Denylist,
        DI.TokenRecords,
        DI.Metrics,
        APP_CONFIG,
        DI.AuditLog,
        LEDGER,
        DI.Clock,
      ],
      useFactory: (
        v: TokenVerifier,
        s: RefreshStore,
        d: Denylist,
        r: TokenRecords,
        m: Metrics,
        cfg: AppConfig,
        a: AuditLog,
        l: RefreshLedger,
        c: Clock,
      ) =>
        revokeToken(
          {
            verifier: v,
            refresh: s,
            denylist: d,
            records: r,
            metrics: m,
            audit: a,
            ledger: l,
            clock: c,
          },
          cfg,
        ),
    },
    {
      provide: DI.RevokeAllTokens,
      inject: [DataSource, DI.RefreshStore, DI.Denylist, DI.Metrics, APP_CONFIG],
      useFactory: (ds: DataSource, s: RefreshStore, d: Denylist, m: Metrics, cfg: AppConfig) =>
        revokeAllTokens({ ds, refresh: s, denylist: d, metrics: m }, cfg),
    },
    {
      provide: DI.RotateRefresh,
      inject: [
        DI.RefreshStore,
        DI.IssueToken,
        DI.RevokeToken,
        DI.TenantStatus,
        LEDGER,
        DI.Memberships,
        SETTINGS,
        DI.Clock,
        DI.ResolveResources,
      ],
      useFactory: (
        s: RefreshStore,
        i: IssueTokenUseCase,
        r: RevokeTokenUseCase,
        t: TenantStatusReader,
        l: RefreshLedger,
        mem: MembershipReader,
        st: TokenSettings,
        c: Clock,
        res: ResolveResources,
      ) => new RotateRefreshUseCase(s, i, r, t, l, mem, st, c, res),
    },
    {
      provide: DI.VerifyAccessToken,
      inject: [DI.SignatureVerifier, DI.Denylist, DI.TenantStatus, DI.Metrics],
      useFactory: (v: TokenVerifier, d: Denylist, t: TenantStatusReader, m: Metrics) =>
        new VerifyAccessToken(v, d, t, m),
    },
    {
      provide: DI.IntrospectToken,
      inject: [
        DI.AnyAudienceVerifier,
        DI.Denylist,
        DI.Metrics,
        DI.RefreshStore,
        DI.TenantStatus,
        DI.TokenRecords,
        DI.Clock,
      ],
      useFactory: (
        v: TokenVerifier,
        d: Denylist,
        m: Metrics,
        s: RefreshStore,
        t: TenantStatusReader,
        r: TokenRecords,
        c: Clock,
      ) => new IntrospectTokenUseCase(new VerifyAccessToken(v, d, t, m), s, t, r, c),
    },
  ],
  exports: [
    DI.Clock,
    DI.TokenIssuer,
    DI.Clients,
    DI.ClientLookupCost,
    DI.TokenRecords,
    DI.TokenRecordRetention,
    DI.PruneTokenRecords,
    DI.TenantStatus,
    DI.AuthenticateClient,
    DI.ManageClients,
    DI.IssueToken,
    DI.RevokeToken,
    DI.RevokeAllTokens,
    DI.RotateRefresh,
    DI.VerifyAccessToken,
    DI.IntrospectToken,
    DI.ResourceServers,
    DI.ResolveResources,
  ],
})
export class TokensModule {}
