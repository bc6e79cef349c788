import { Module, type DynamicModule } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import type { KeyRing } from '@tessera/infrastructure/crypto/key-ring';
import { TerminusModule } from '@nestjs/terminus';
import { TesseraConfigModule, type AppConfig } from '@tessera/config';
import { CryptoModule } from '@tessera/infrastructure/crypto/crypto.module';
import { DatabaseModule } from '@tessera/infrastructure/postgres/database.module';
import { TenancyModule } from '@tessera/infrastructure/postgres/tenancy.module';
import { RedisModule } from '@tessera/infrastructure/redis/redis.module';
import { AuditModule } from '@tessera/infrastructure/audit/audit.module';
import { LoggingModule } from '@tessera/infrastructure/logging/logging.module';
import { MetricsModule } from '@tessera/infrastructure/metrics/metrics.module';
import { ThrottlingModule } from '@tessera/infrastructure/throttling/throttling.module';
import { RequestPrincipalsModule } from '@tessera/infrastructure/http/request-principals.module';
import { ApiModule } from './api/api.module';
import { SessionModule } from './session/session.module';
import { DenylistModule } from '@tessera/infrastructure/denylist/denylist.module';
import { OAuthModule } from './oauth/oauth.module';
import { JwksController } from './well-known/jwks.controller';
import { DiscoveryController } from './well-known/discovery.controller';
import { TenantDiscoveryController } from './well-known/tenant-discovery.controller';
import { TenantJwksController } from './well-known/tenant-jwks.controller';
import { TrustAnchorController } from './well-known/trust-anchor.controller';
import { HealthController } from './ops/health.controller';
import { readinessProviders } from './ops/readiness.providers';
import { MetricsController } from './ops/metrics.controller';
import { MetricsServer } from './ops/metrics-server';
import { ManagementModule } from './management/management.module';

/** What the HTTP app is built with besides its config (main.ts and the e2e tests pass these). */
export interface AuthAppOptions {
  /** Where JSON log lines go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
  /** Keys already loaded (main.ts does so to report key problems in one line). */
  keyRing?: KeyRing;
}

@Module({
  imports: [
    DatabaseModule,
    TenancyModule,
    RedisModule,
    TerminusModule.forRoot({ errorLogStyle: 'json' }),
    DenylistModule,
    RequestPrincipalsModule,
    SessionModule,
    ApiModule,
    OAuthModule,
    MetricsModule,
    ThrottlingModule,
    AuditModule,
    ManagementModule,
  ],
  controllers: [
    DiscoveryController,
    JwksController,
    TenantDiscoveryController,
    TenantJwksController,
    TrustAnchorController,
    HealthController,
    MetricsController,
  ],
  providers: [...readinessProviders, MetricsServer],
})
export class AuthModule {
  static forRoot(cfg: AppConfig, opts: AuthAppOptions = {}): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        TesseraConfigModule.forRoot(cfg),
        CryptoModule.forRoot(opts.keyRing),
        LoggingModule.forRoot({ destination: opts.logDestination }),
      ],
    };
  }
}
