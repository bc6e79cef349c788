import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { AuditLog } from '@tessera/application/ports/audit-log.port';
import type { SessionStore } from '@tessera/application/session/session-store.port';
import {
  SessionTokens,
  type TokenMinter,
  type TokenRevoker,
} from '@tessera/application/session/session-tokens';
import type { TokenRecords } from '@tessera/application/tokens/token-records.port';
import { CompleteLoginUseCase } from '@tessera/application/sign-in/complete-login.use-case';
import type {
  MembershipWriter,
  TenantsBySlug,
  UserUpsert,
} from '@tessera/application/sign-in/directory.ports';
import type { IdentityProvider } from '@tessera/application/sign-in/identity-provider.port';
import { StartLoginUseCase } from '@tessera/application/sign-in/start-login.use-case';
import { BackchannelLogoutUseCase } from '@tessera/application/sign-in/backchannel-logout.use-case';
import type { ReplayGuard } from '@tessera/application/sign-in/logout-token.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { OidcModule } from '@tessera/infrastructure/oidc/oidc.module';
import { SessionStoreModule } from '@tessera/infrastructure/session/session-store.module';
import { AccountTokensController } from '../pages/account-tokens.controller';
import { PagesController } from '../pages/pages.controller';
import { BackchannelLogoutController } from './backchannel-logout.controller';
import { CallbackController } from './callback.controller';
import { LoginController } from './login.controller';
import { LogoutController } from './logout.controller';
import { SessionAuth } from './session-auth';
import { unavailableSessionTokens } from './session-tokens.provider';

const optional = (token: symbol) => ({ token, optional: true });

/** Tenancy not bound yet: sign-in answers 503 rather than the app failing to boot. */
function orUnavailable<T>(dep: T | undefined, what: string): T {
  if (dep) return dep;
  return new Proxy({} as object, {
    get: (_t, key) =>
      key === 'then'
        ? undefined
        : () =>
            Promise.reject(new DomainError('temporarily_unavailable', `${what} is not available`)),
  }) as T;
}

/** Authentik sign-in, server-side sessions, the session API and the account pages. */
@Module({
  imports: [OidcModule, SessionStoreModule],
  controllers: [
    LoginController,
    CallbackController,
    LogoutController,
    BackchannelLogoutController,
    PagesController,
    AccountTokensController,
  ],
  providers: [
    SessionAuth,
    {
      provide: DI.StartLogin,
      inject: [DI.IdentityProvider, DI.SessionStore, optional(DI.Tenants)],
      useFactory: (idp: IdentityProvider, store: SessionStore, tenants?: TenantsBySlug) =>
        new StartLoginUseCase(idp, store, orUnavailable(tenants, 'the tenant directory')),
    },
    {
      provide: DI.CompleteLogin,
      inject: [
        DI.IdentityProvider,
        DI.SessionStore,
        APP_CONFIG,
        optional(DI.Tenants),
        optional(DI.Users),
        optional(DI.Memberships),
        optional(DI.AuditLog),
      ],
      useFactory: (
        idp: IdentityProvider,
        store: SessionStore,
        cfg: AppConfig,
        tenants?: TenantsBySlug,
        users?: UserUpsert,
        memberships?: MembershipWriter,
        audit?: AuditLog,
      ) =>
        new CompleteLoginUseCase(
          idp,
          store,
          orUnavailable(tenants, 'the tenant directory'),
          orUnavailable(users, 'the user directory'),
          orUnavailable(memberships, 'the membership directory'),
          { groupPattern: cfg.oidc.groupPattern },
          audit,
        ),
    },
    {
      provide: DI.BackchannelLogout,
      inject: [
        DI.IdentityProvider,
        DI.SessionStore,
        DI.ReplayGuard,
        APP_CONFIG,
        optional(DI.AuditLog),
      ],
      useFactory: (
        idp: IdentityProvider,
        store: SessionStore,
        replay: ReplayGuard,
        cfg: AppConfig,
        audit?: AuditLog,
      ) =>
        new BackchannelLogoutUseCase(
          idp,
          store,
          replay,
          { replayTtlSeconds: cfg.oidc.logoutTokenMaxAge + 2 * cfg.tokens.leeway },
          audit,
        ),
    },
    {
      provide: DI.SessionTokens,
      inject: [optional(DI.IssueToken), optional(DI.TokenRecords), optional(DI.RevokeToken)],
      useFactory: (minter?: TokenMinter, records?: TokenRecords, revoker?: TokenRevoker) =>
        minter && records && revoker
          ? new SessionTokens(minter, records, revoker)
          : unavailableSessionTokens,
    },
  ],
  exports: [SessionAuth, DI.SessionTokens],
})
export class SessionModule {}
