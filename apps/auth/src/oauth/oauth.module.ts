import { Module } from '@nestjs/common';
import { RefreshStoreModule } from '@tessera/infrastructure/redis/refresh-store.module';
import { TokensModule } from '@tessera/infrastructure/tokens/tokens.module';
import { FederationModule } from '@tessera/infrastructure/federation/federation.module';
import { IntrospectController } from './introspect.controller';
import { RevokeController } from './revoke.controller';
import { TokenController } from './token.controller';
import { RevocationEventsController } from './revocation-events.controller';
import { RevocationFeedModule } from '@tessera/infrastructure/revocation-feed/revocation-feed.module';

/** The OAuth endpoints: token, revocation, introspection. */
@Module({
  imports: [RefreshStoreModule, TokensModule, FederationModule, RevocationFeedModule],
  controllers: [
    TokenController,
    RevokeController,
    IntrospectController,
    RevocationEventsController,
  ],
  exports: [RefreshStoreModule, TokensModule],
})
export class OAuthModule {}
