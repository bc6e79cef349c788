import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { IdentityProvider } from '@tessera/application/sign-in/identity-provider.port';
import {
  OpenIdClientIdentityProvider,
  unconfiguredIdentityProvider,
} from './openid-client-identity-provider.adapter';

/** The Authentik relying party, or the "not configured" stand-in when OIDC_* is unset. */
@Global()
@Module({
  providers: [
    {
      provide: DI.IdentityProvider,
      inject: [APP_CONFIG],
      useFactory: (cfg: AppConfig): IdentityProvider => {
        const o = cfg.oidc;
        if (!o.issuerUrl || !o.clientId || !o.clientSecret || !o.redirectUri) {
          return unconfiguredIdentityProvider;
        }
        return new OpenIdClientIdentityProvider({
          issuerUrl: o.issuerUrl,
          clientId: o.clientId,
          clientSecret: o.clientSecret,
          redirectUri: o.redirectUri,
          postLogoutRedirectUri: o.postLogoutRedirectUri ?? `${cfg.issuer}/auth/signed-out`,
          scope: ['openid', 'profile', 'email', o.groupsScope].filter(Boolean).join(' '),
          groupsClaim: o.groupsClaim,
          leewaySeconds: cfg.tokens.leeway,
          logoutTokenMaxAge: o.logoutTokenMaxAge,
        });
      },
    },
  ],
  exports: [DI.IdentityProvider],
})
export class OidcModule {}
