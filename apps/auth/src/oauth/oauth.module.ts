import { Module } from '@nestjs/common';
import { RefreshStoreModule } from '@tessera/infrastructure/redis/refresh-store.module';
import { TokensModule } from '@tessera/infrastructure/tokens/tokens.module';
import { FederationModule } from '@tessera/infrastructure/federation/federation.module';
import { BearerGuard } from '../api/bearer.guard';
import { IntrospectController } from './introspect.controller';
import { RevokeController } from './revoke.controller';
import { TokenController } from './token.controller';

/** The OAuth endpoints and the bearer-protected API. */
@Module({
  imports: [RefreshStoreModule, TokensModule, FederationModule],
  controllers: [TokenController, RevokeController, IntrospectController],
  providers: [BearerGuard],
  exports: [RefreshStoreModule, TokensModule, BearerGuard],
})
export class OAuthModule {}
