import { Module, type DynamicModule } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import type { KeyRing } from '@tessera/infrastructure/crypto/key-ring';
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
import { ManagementModule } from './management/management.module';
import { WellKnownModule } from './well-known/well-known.module';
import { OpsModule } from './ops/ops.module';

/** What the HTTP app is built with besides its config (main.ts and the e2e tests pass these). */
export interface AuthAppOptions {
  /** Where JSON log lines go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
  /** Keys already loaded (main.ts does so to report key problems in one line). */
  keyRing?: KeyRing;
}

/**
 * Express tries routes in the order modules register them, one match per route: the OAuth
 * endpoints, the busiest, come first, the management API (another port) last.
 */
@Module({
  imports: [
    DatabaseModule,
    TenancyModule,
    RedisModule,
    DenylistModule,
    RequestPrincipalsModule,
    OAuthModule,
    WellKnownModule,
    ApiModule,
    SessionModule,
    OpsModule,
    MetricsModule,
    ThrottlingModule,
    AuditModule,
    ManagementModule,
  ],
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
