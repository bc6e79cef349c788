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
import { tenantKeyOptions } from './tenant-keys';
import type { KeyRing } from './key-ring';
import { JoseTokenVerifier } from './jose-token-verifier';
import { DatabaseKeyRing, databaseKeyOptions, usesDatabaseKeys } from './database-key-ring';
import { openKeyRing } from './open-key-ring';
import type { TenantTransactions } from '../postgres/tenant-transaction';
import { TenantKeys } from './tenant-keys';
import { TenantTokenVerifier } from './tenant-token-verifier';
import { TrustAnchor } from './trust-anchor';
import { KeyRotationSweep } from './key-rotation-sweep';
import { RESOLVED_DATABASE } from '../postgres/database.module';
import type { ResolvedDatabase } from '../postgres/database-resolver';

const PRELOADED_KEY_RING = Symbol('PreloadedKeyRing');

const ROTATION_SWEEP = Symbol('KeyRotationSweep');

/** Stops the database key store's reload timer (and the tenant key watchers) with the app. */
class KeyReloadLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(DI.KeyRing) private readonly ring: KeyRing,
    @Inject(DI.TenantKeys) private readonly tenants: TenantKeys | null,
    @Inject(ROTATION_SWEEP) private readonly sweep: KeyRotationSweep | null,
  ) {}
  onApplicationShutdown(): void {
    if (this.ring instanceof DatabaseKeyRing) this.ring.stop();
    this.tenants?.stop();
    this.sweep?.stop();
  }
}

const verifier = (
  ring: KeyRing,
  tenants: TenantKeys | null,
  opts: { issuer: string; audience?: string; leewaySeconds: number },
  metrics?: Metrics,
) =>
  tenants
    ? new TenantTokenVerifier(ring, tenants, opts, (kid) => metrics?.kidPresented(kid))
    : new JoseTokenVerifier(ring, opts, (kid) => metrics?.kidPresented(kid));

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
    {
      provide: DI.TenantKeys,
      inject: [
        APP_CONFIG,
        { token: DataSource, optional: true },
        { token: DI.TenantTransactions, optional: true },
        { token: RESOLVED_DATABASE, optional: true },
      ],
      useFactory: async (
        cfg: AppConfig,
        ds?: DataSource,
        tx?: TenantTransactions,
        db?: ResolvedDatabase,
      ): Promise<TenantKeys | null> => {
        if (cfg.issuerMode !== 'tenant') return null;
        if (!ds || !tx) throw new Error('ISSUER_MODE=tenant needs the database');
        const log = new Logger('TenantKeys');
        const anchor = await TrustAnchor.open(ds, cfg.keys.encryptionSecret!, cfg.issuer);
        log.log(`tenant issuers at ${cfg.issuer}/t/{slug}; trust anchor kid ${anchor.jwk.kid}`);
        const minDelay = cfg.tenantKeys.jwksMaxAge + cfg.keys.reloadIntervalMs / 1000;
        if (cfg.keys.publishDelay < minDelay) {
          log.warn(
            `KEY_PUBLISH_DELAY ${cfg.keys.publishDelay}s is shorter than TENANT_JWKS_MAX_AGE plus KEY_RELOAD_INTERVAL (${minDelay}s): verifiers may meet a new tenant kid before they fetched it`,
          );
        }
        return new TenantKeys(ds, tx, anchor, tenantKeyOptions(cfg, log)).start(db?.appUrl);
      },
    },
    {
      provide: ROTATION_SWEEP,
      inject: [
        APP_CONFIG,
        DI.TenantKeys,
        { token: DataSource, optional: true },
        { token: DI.TenantTransactions, optional: true },
        { token: DI.Metrics, optional: true },
      ],
      useFactory: (
        cfg: AppConfig,
        tenants: TenantKeys | null,
        ds?: DataSource,
        tx?: TenantTransactions,
        metrics?: Metrics,
      ): KeyRotationSweep | null => {
        const platform = usesDatabaseKeys(cfg) && cfg.keys.rotationInterval > 0;
        if (!ds || !tx || (!platform && !tenants)) return null;
        const log = new Logger('KeyRotation');
        return new KeyRotationSweep(ds, tx, {
          intervalSeconds: cfg.keys.rotationInterval,
          checkMs: cfg.keys.rotationCheckMs,
          platform: platform ? databaseKeyOptions(cfg, log) : undefined,
          tenants: tenants ?? undefined,
          log,
          counters: metrics && {
            rotated: (o, n) => metrics.keyRotations?.(o, n),
            tenantKeys: (by, oldest) => metrics.tenantKeys?.(by, oldest),
          },
        }).start();
      },
    },
    { provide: DI.TokenSigner, useExisting: DI.KeyRing },
    { provide: DI.KeyStore, useExisting: DI.KeyRing },
    {
      provide: DI.SignatureVerifier,
      inject: [DI.KeyRing, DI.TenantKeys, APP_CONFIG, { token: DI.Metrics, optional: true }],
      useFactory: (ring: KeyRing, tenants: TenantKeys | null, cfg: AppConfig, metrics?: Metrics) =>
        verifier(
          ring,
          tenants,
          { issuer: cfg.issuer, audience: cfg.tokens.audience, leewaySeconds: cfg.tokens.leeway },
          metrics,
        ),
    },
    {
      // Tessera's own API accepts only the default audience; revocation and introspection
      // must recognise a token for any resource server (RFC 8707) too.
      provide: DI.AnyAudienceVerifier,
      inject: [DI.KeyRing, DI.TenantKeys, APP_CONFIG, { token: DI.Metrics, optional: true }],
      useFactory: (ring: KeyRing, tenants: TenantKeys | null, cfg: AppConfig, metrics?: Metrics) =>
        verifier(ring, tenants, { issuer: cfg.issuer, leewaySeconds: cfg.tokens.leeway }, metrics),
    },
    KeyReloadLifecycle,
  ],
  exports: [
    DI.KeyRing,
    DI.TokenSigner,
    DI.KeyStore,
    DI.SignatureVerifier,
    DI.AnyAudienceVerifier,
    DI.TenantKeys,
  ],
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
