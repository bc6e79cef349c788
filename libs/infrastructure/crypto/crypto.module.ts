import {
  Global,
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { Metrics } from '@tessera/application/ports/metrics.port';
import type { KeyRing } from './key-ring';
import { JoseTokenVerifier } from './jose-token-verifier';
import { DatabaseKeyRing } from './database-key-ring';
import { openKeyRing } from './open-key-ring';

const PRELOADED_KEY_RING = Symbol('PreloadedKeyRing');

/** Stops the database key store's reload timer with the app. */
class KeyReloadLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DI.KeyRing) private readonly ring: KeyRing) {}
  onApplicationShutdown(): void {
    if (this.ring instanceof DatabaseKeyRing) this.ring.stop();
  }
}

/** Binds the key ring (signer, key store) and the signature verifier. */
@Global()
@Module({
  providers: [
    {
      provide: DI.KeyRing,
      inject: [
        APP_CONFIG,
        { token: PRELOADED_KEY_RING, optional: true },
        { token: DataSource, optional: true },
      ],
      useFactory: async (
        cfg: AppConfig,
        preloaded?: KeyRing,
        ds?: DataSource,
      ): Promise<KeyRing> => {
        if (preloaded) return preloaded;
        const log = new Logger('Keys');
        const ring = await openKeyRing(cfg, ds, {
          log: (m) => log.log(m),
          warn: (m) => log.warn(m),
        });
        // Keys in signing_keys (docs/keys.md) are reloaded periodically.
        return ring instanceof DatabaseKeyRing ? ring.start() : ring;
      },
    },
    { provide: DI.TokenSigner, useExisting: DI.KeyRing },
    { provide: DI.KeyStore, useExisting: DI.KeyRing },
    {
      provide: DI.SignatureVerifier,
      inject: [DI.KeyRing, APP_CONFIG, { token: DI.Metrics, optional: true }],
      useFactory: (ring: KeyRing, cfg: AppConfig, metrics?: Metrics) =>
        new JoseTokenVerifier(
          ring,
          { issuer: cfg.issuer, audience: cfg.tokens.audience, leewaySeconds: cfg.tokens.leeway },
          (kid) => metrics?.kidPresented(kid),
        ),
    },
    {
      // Tessera's own API accepts only the default audience; revocation and introspection
      // must recognise a token for any resource server (RFC 8707) too.
      provide: DI.AnyAudienceVerifier,
      inject: [DI.KeyRing, APP_CONFIG, { token: DI.Metrics, optional: true }],
      useFactory: (ring: KeyRing, cfg: AppConfig, metrics?: Metrics) =>
        new JoseTokenVerifier(
          ring,
          { issuer: cfg.issuer, leewaySeconds: cfg.tokens.leeway },
          (kid) => metrics?.kidPresented(kid),
        ),
    },
    KeyReloadLifecycle,
  ],
  exports: [DI.KeyRing, DI.TokenSigner, DI.KeyStore, DI.SignatureVerifier, DI.AnyAudienceVerifier],
})
export class CryptoModule {
  /** main.ts loads the ring before Nest starts, so a key problem is one line, not a stack. */
  static forRoot(preloaded?: KeyRing): DynamicModule {
    return {
      module: CryptoModule,
      providers: [{ provide: PRELOADED_KEY_RING, useValue: preloaded }],
    };
  }
}
