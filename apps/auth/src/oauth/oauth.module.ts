import { Module } from '@nestjs/common';
import { RefreshStoreModule } from '@tessera/infrastructure/refresh/refresh-store.module';
import { TokensModule } from '@tessera/infrastructure/tokens/tokens.module';
import { FederationModule } from '@tessera/infrastructure/federation/federation.module';
import { IntrospectController } from './introspect.controller';
import { RevokeController } from './revoke.controller';
import { TokenController } from './token.controller';
import { RevocationEventsController } from './revocation-events.controller';
import { RevocationFeedModule } from '@tessera/infrastructure/revocation-feed/revocation-feed.module';
import { GRANTS, type Grant } from './grants/grant';
import { ClientCredentialsGrant } from './grants/client-credentials.grant';
import { RefreshTokenGrant } from './grants/refresh-token.grant';
import { TokenExchangeGrant } from './grants/token-exchange.grant';

/** Every grant POST /oauth/token serves: adding one is a file and a line here. */
const GRANT_TYPES = [ClientCredentialsGrant, RefreshTokenGrant, TokenExchangeGrant];

/** The OAuth endpoints: token, revocation, introspection. */
@Module({
  imports: [RefreshStoreModule, TokensModule, FederationModule, RevocationFeedModule],
  controllers: [
    TokenController,
    RevokeController,
    IntrospectController,
    RevocationEventsController,
  ],
  providers: [
    ...GRANT_TYPES,
    {
      provide: GRANTS,
      inject: GRANT_TYPES,
      useFactory: (...grants: Grant[]) => new Map(grants.map((g) => [g.type, g])),
    },
  ],
  exports: [RefreshStoreModule, TokensModule],
})
export class OAuthModule {}
