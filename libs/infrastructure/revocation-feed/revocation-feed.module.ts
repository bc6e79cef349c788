import { Inject, Logger, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import { PollRevocationEvents } from '@tessera/application/revocation-feed/poll-revocation-events.use-case';
import type { TokenSigner } from '@tessera/domain/token/token-signer.port';
import type { TenantTransactions } from '../postgres/tenant-transaction';
import type { PostgresDenylist } from '../denylist/postgres-denylist.adapter';
import { PostgresRevocationFeed } from './postgres-revocation-feed';
import { CachedSecurityEventSigner } from './signed-security-events';
import { DenylistWaiter } from './denylist-waiter';

const STORE = Symbol('RevocationFeedStore');
const WAITER = Symbol('RevocationWaiter');
const PRUNE_EVERY_MS = 60 * 60_000;

/**
 * Expired events and forgotten streams are dead weight: every node prunes hourly. On shutdown,
 * held long polls answer at once instead of outliving the database connection.
 */
class FeedPruning implements OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private readonly log = new Logger('RevocationFeed');
  constructor(
    @Inject(STORE) private readonly store: PostgresRevocationFeed,
    @Inject(WAITER) private readonly waiter: DenylistWaiter,
  ) {}
  onModuleInit(): void {
    this.timer = setInterval(
      () =>
        void this.store
          .prune()
          .catch((e: unknown) => this.log.warn(`revocation feed prune failed: ${String(e)}`)),
      PRUNE_EVERY_MS,
    );
    this.timer.unref();
  }
  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.waiter.close();
  }
}

/** POST /oauth/revocation-events (RFC 8936 poll delivery): store, SET signer, waiter. */
@Module({
  providers: [
    {
      provide: STORE,
      inject: [DI.TenantTransactions, APP_CONFIG],
      useFactory: (tx: TenantTransactions, cfg: AppConfig) =>
        new PostgresRevocationFeed(tx, cfg.tokens.leeway * 1000),
    },
    {
      provide: WAITER,
      inject: [DI.Denylist],
      useFactory: (denylist: PostgresDenylist) => new DenylistWaiter((l) => denylist.onDenied(l)),
    },
    {
      provide: DI.RevocationFeed,
      inject: [STORE, DI.TokenSigner, WAITER, APP_CONFIG],
      useFactory: (
        store: PostgresRevocationFeed,
        signer: TokenSigner,
        waiter: DenylistWaiter,
        cfg: AppConfig,
      ) =>
        new PollRevocationEvents(store, new CachedSecurityEventSigner(signer, cfg.issuer), waiter, {
          maxWaitMs: cfg.revocationFeed.maxWait * 1000,
        }),
    },
    FeedPruning,
  ],
  exports: [DI.RevocationFeed],
})
export class RevocationFeedModule {}
