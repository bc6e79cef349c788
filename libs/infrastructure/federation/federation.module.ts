import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { AuditLog } from '@tessera/application/ports/audit-log.port';
import type { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';
import type { SubjectTokenVerifier } from '@tessera/application/exchange-token/subject-token-verifier.port';
import type { TrustedIssuerRepository } from '@tessera/application/exchange-token/trusted-issuer-repository.port';
import { ExchangeTokenUseCase } from '@tessera/application/exchange-token/exchange-token.use-case';
import { JoseSubjectTokenVerifier } from './jose-subject-token-verifier.adapter';
import { TypeOrmExchangeMappingRepository } from './typeorm-exchange-mapping-repository.adapter';
import { CachedExchangeMappings } from './cached-exchange-mappings';
import type { ExchangeMappingRepository } from '@tessera/application/exchange-token/exchange-mapping-repository.port';
import { TypeOrmTrustedIssuerRepository } from './typeorm-trusted-issuer-repository.adapter';
import { manageExchangeMappings, manageTrustedIssuers } from './federation-composition';
import { overDataSource } from '../postgres/providers';

/** RFC 8693 token exchange: trusted external issuers, their JWKS, the exchange use case. */
@Module({
  providers: [
    overDataSource(DI.TrustedIssuers, TypeOrmTrustedIssuerRepository),
    {
      provide: DI.SubjectTokenVerifier,
      inject: [APP_CONFIG],
      useFactory: (cfg: AppConfig) =>
        new JoseSubjectTokenVerifier({
          leewaySeconds: cfg.tokens.leeway,
          production: cfg.production,
        }),
    },
    {
      provide: DI.ExchangeMappings,
      inject: [DataSource],
      useFactory: (ds: DataSource) =>
        new CachedExchangeMappings(new TypeOrmExchangeMappingRepository(ds)),
    },
    {
      provide: DI.ExchangeToken,
      inject: [
        DI.TrustedIssuers,
        DI.SubjectTokenVerifier,
        DI.IssueToken,
        APP_CONFIG,
        DI.ExchangeMappings,
      ],
      useFactory: (
        r: TrustedIssuerRepository,
        v: SubjectTokenVerifier,
        i: IssueTokenUseCase,
        cfg: AppConfig,
        m: ExchangeMappingRepository,
      ) => new ExchangeTokenUseCase(r, v, i, { audience: cfg.tokens.audience }, m),
    },
    {
      provide: DI.ManageExchangeMappings,
      inject: [DI.ExchangeMappings, DI.AuditLog, APP_CONFIG],
      useFactory: (m: ExchangeMappingRepository, a: AuditLog, cfg: AppConfig) =>
        manageExchangeMappings(m, a, cfg),
    },
    {
      provide: DI.ManageTrustedIssuers,
      inject: [DI.TrustedIssuers, APP_CONFIG, DI.AuditLog],
      useFactory: (r: TrustedIssuerRepository, cfg: AppConfig, a: AuditLog) =>
        manageTrustedIssuers(r, a, cfg),
    },
  ],
  exports: [
    DI.TrustedIssuers,
    DI.ExchangeToken,
    DI.ManageTrustedIssuers,
    DI.ManageExchangeMappings,
  ],
})
export class FederationModule {}
