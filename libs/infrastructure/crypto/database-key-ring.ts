import type { DataSource } from 'typeorm';
import type { AppConfig } from '@tessera/config';
import { KeyConfigError } from '@tessera/domain/keys/keys.errors';
import type { SchedulePolicy } from '@tessera/domain/keys/key-schedule';
import type { SignedJwt, SigningAlg } from '@tessera/domain/token/token-signer.port';
import { DEFAULT_RSA_BITS, generateSigningKey } from './key-generator';
import { KeyEncryption } from './key-encryption';
import { loadPrivatePem, type KeyMaterial } from './key-material';
import { KeyRing, signWith, type RingEntry } from './key-ring';
import {
  needsSettling,
  TypeOrmSigningKeys,
  type KeySnapshot,
  type NewKey,
  type StoredKey,
} from './typeorm-signing-keys.adapter';

export interface KeyLog {
  log(line: string): void;
  warn(line: string): void;
}

export interface DatabaseKeyOptions {
  secret: string;
  policy: SchedulePolicy;
  accessTtlSeconds: number;
  reloadIntervalMs: number;
  /** Development only: the algorithm of the key created when none is active. */
  bootstrapAlg?: SigningAlg;
  log: KeyLog;
}

/** The JWKS endpoint's Cache-Control max-age: a staged key must outlive verifiers' caches. */
export const JWKS_MAX_AGE_SECONDS = 300;

/** Keys live in the database when a secret can seal them and no key directory is configured. */
export const usesDatabaseKeys = (cfg: AppConfig): boolean =>
  Boolean(cfg.keys.encryptionSecret && !cfg.keys.dir);

/** What every sealed key set (the platform's, each tenant's) reads from the config alike. */
export const sealedKeySettings = (cfg: AppConfig, log: KeyLog) => ({
  secret: cfg.keys.encryptionSecret!,
  policy: {
    publishDelayMs: cfg.keys.publishDelay * 1000,
    accessTtlMs: cfg.tokens.accessTtl * 1000,
    leewayMs: cfg.tokens.leeway * 1000,
  },
  accessTtlSeconds: cfg.tokens.accessTtl,
  reloadIntervalMs: cfg.keys.reloadIntervalMs,
  log,
});

export function databaseKeyOptions(cfg: AppConfig, log: KeyLog): DatabaseKeyOptions {
  return {
    ...sealedKeySettings(cfg, log),
    bootstrapAlg: cfg.production ? undefined : cfg.keys.devAlg,
  };
}

/** A fresh key pair (generated on the libuv pool), sealed for its row. */
export async function newSealedKey(
  enc: KeyEncryption,
  alg: SigningAlg,
  bits = DEFAULT_RSA_BITS,
): Promise<NewKey> {
  const { material, privatePem } = await generateSigningKey(alg, bits);
  return {
    kid: material.kid,
    alg,
    publicJwk: material.jwk,
    sealed: enc.seal(material.kid, alg, Buffer.from(privatePem)),
  };
}

/**
 * The key ring of the database key store. Every KEY_RELOAD_INTERVAL (and exactly when the
 * schedule says a key changes status) it re-reads signing_keys, settles due transitions, and
 * swaps its entries; a failed reload keeps the last good set and warns. Private keys are
 * decrypted once per row, and dropped from the ring once a key only verifies (retiring).
 */
export class DatabaseKeyRing extends KeyRing {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Database clock minus local clock, measured at the last read. */
  private offsetMs = 0;
  private nextChangeAt?: Date;

  private constructor(
    entries: RingEntry[],
    private readonly keys: TypeOrmSigningKeys,
    private readonly materials: SealedKeyCache,
    private readonly opts: DatabaseKeyOptions,
  ) {
    super(entries);
  }

  /**
   * Loads (and in development bootstraps) the key set. Throws KeyConfigError with one line:
   * no active key in production, a key the secret does not open.
   */
  static async open(ds: DataSource, opts: DatabaseKeyOptions): Promise<DatabaseKeyRing> {
    const enc = new KeyEncryption(opts.secret);
    const keys = new TypeOrmSigningKeys(ds, opts.policy);
    const minDelay = (JWKS_MAX_AGE_SECONDS * 1000 + opts.reloadIntervalMs) / 1000;
    if (opts.policy.publishDelayMs / 1000 < minDelay) {
      opts.log.warn(
        `KEY_PUBLISH_DELAY ${opts.policy.publishDelayMs / 1000}s is shorter than the JWKS cache lifetime plus KEY_RELOAD_INTERVAL (${minDelay}s): verifiers may meet a new kid before they fetched it`,
      );
    }
    let snap = await keys.settle();
    if (!snap.schedule.active) {
      if (!opts.bootstrapAlg) {
        throw new KeyConfigError(
          'no active signing key in the database (KEY_ENCRYPTION_SECRET set, SIGNING_KEYS_DIR unset): run `npm run -s cli -- keys rotate` first',
        );
      }
      const made = await keys.insert(await newSealedKey(enc, opts.bootstrapAlg), {
        onlyIfNoActive: true,
      });
      snap = await keys.snapshot();
      if (made) {
        opts.log.warn(
          `created signing key ${snap.schedule.active?.kid} (${opts.bootstrapAlg}) in the database, active at once: development only; production refuses to start without one`,
        );
      }
    }
    const materials = new SealedKeyCache(enc);
    const ring = new DatabaseKeyRing(await materials.entries(snap), keys, materials, opts);
    ring.observed(snap);
    return ring;
  }

  /** Starts the periodic reload (the server; the CLI uses the ring as loaded). */
  start(): this {
    this.stopped = false;
    this.scheduleReload();
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  override async sign(payload: object, typ: string): Promise<SignedJwt> {
    const material = this.signingMaterial();
    const exp = (payload as { exp?: unknown }).exp;
    // The schedule covers tokens up to ACCESS_TOKEN_TTL; a longer one (a CLI mint) is recorded
    // first, so its key stays published until it expires.
    if (typeof exp === 'number' && exp > Date.now() / 1000 + this.opts.accessTtlSeconds + 1) {
      if (!(await this.keys.recordExp(material.kid, new Date(exp * 1000)))) {
        throw new KeyConfigError(`signing key ${material.kid} was retired: reload and retry`);
      }
    }
    return signWith(material, payload, typ);
  }

  async reload(): Promise<void> {
    try {
      let snap = await this.keys.snapshot();
      if (needsSettling(snap)) snap = await this.keys.settle();
      const entries = await this.materials.entries(snap);
      const before = this.kid;
      this.replace(entries);
      this.observed(snap);
      if (this.kid !== before) {
        this.opts.log.log(`signing with kid ${this.kid} (${this.alg}); ${before} now retiring`);
      }
    } catch (e) {
      this.opts.log.warn(
        `signing keys not reloaded, keeping the last good set: ${(e as Error).message}`,
      );
    }
  }

  private observed(snap: KeySnapshot): void {
    this.offsetMs = snap.dbNow.getTime() - Date.now();
    this.nextChangeAt = snap.schedule.nextChangeAt;
  }

  /** The next reload: one interval away, or just after the next scheduled status change. */
  private scheduleReload(): void {
    if (this.stopped) return;
    let delay = this.opts.reloadIntervalMs;
    if (this.nextChangeAt) {
      const until = this.nextChangeAt.getTime() - (Date.now() + this.offsetMs) + 5;
      delay = Math.max(5, Math.min(delay, until));
    }
    this.timer = setTimeout(() => {
      void this.reload().finally(() => this.scheduleReload());
    }, delay);
    this.timer.unref();
  }
}

/** Decrypted key material by kid, re-decrypted only when a row's ciphertext changes. */
class SealedKeyCache {
  private readonly byKid = new Map<string, { sealed: Buffer; material: KeyMaterial }>();

  constructor(private readonly enc: KeyEncryption) {}

  async entries(snap: KeySnapshot): Promise<RingEntry[]> {
    const entries: RingEntry[] = [];
    const live = new Set<string>();
    for (const state of snap.schedule.keys) {
      if (state.status === 'retired') continue;
      const row = snap.rows.find((r) => r.kid === state.kid)!;
      live.add(row.kid);
      const material = await this.material(row, state.status !== 'retiring');
      entries.push({
        material,
        primary: state.status === 'active',
        status: state.status,
        createdAt: row.createdAt,
        activatedAt: state.activatedAt,
      });
    }
    for (const kid of this.byKid.keys()) if (!live.has(kid)) this.byKid.delete(kid);
    return entries;
  }

  private async material(row: StoredKey, needPrivate: boolean): Promise<KeyMaterial> {
    if (!row.sealed) throw new KeyConfigError(`signing key ${row.kid} has no stored private key`);
    let cached = this.byKid.get(row.kid);
    if (!cached || !cached.sealed.equals(row.sealed)) {
      const pem = this.enc.open(row.kid, row.alg, row.sealed);
      const material = await loadPrivatePem(pem, undefined, `signing key ${row.kid}`).finally(() =>
        pem.fill(0),
      );
      // The kid is the key's own RFC 7638 thumbprint: a row cannot claim another key's kid.
      if (material.kid !== row.kid || material.alg !== row.alg) {
        throw new KeyConfigError(`signing key ${row.kid}: stored key does not match its kid`);
      }
      cached = { sealed: row.sealed, material };
      this.byKid.set(row.kid, cached);
    }
    if (!needPrivate && cached.material.privateKey) {
      // A retiring key only verifies: keep no private part of it in memory from here on.
      cached.material = { ...cached.material, privateKey: undefined };
    }
    return cached.material;
  }
}
