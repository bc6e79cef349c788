import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TesseraConfigModule, type AppConfig } from '@tessera/config';
import { CryptoModule } from '@tessera/infrastructure/crypto/crypto.module';
import { DatabaseModule } from '@tessera/infrastructure/postgres/database.module';
import { TenancyModule } from '@tessera/infrastructure/postgres/tenancy.module';
import { RedisModule } from '@tessera/infrastructure/redis/redis.module';
import { JwksController } from './well-known/jwks.controller';
import { DiscoveryController } from './well-known/discovery.controller';
import { HealthController } from './ops/health.controller';
import { READINESS_CHECKS } from './ops/readiness';

@Module({
  imports: [
    DatabaseModule,
    TenancyModule,
    RedisModule,
    CryptoModule,
    TerminusModule.forRoot({ errorLogStyle: 'json' }),
  ],
  controllers: [DiscoveryController, JwksController, HealthController],
  providers: [{ provide: READINESS_CHECKS, useValue: [] }],
})
export class AuthModule {
  static forRoot(cfg: AppConfig): DynamicModule {
    return { module: AuthModule, imports: [TesseraConfigModule.forRoot(cfg)] };
  }
}
