import { createPublicKey } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { LRUCache } from 'lru-cache';
import type { AppConfig } from '@tessera/config';
import type { SchedulePolicy } from '@tessera/domain/keys/key-schedule';
import { KeyConfigError } from '@tessera/domain/keys/keys.errors';
import type { PublicJwk, SigningAlg, TokenSigner } from '@tessera/domain/token/token-signer.port';
import type { TenantSigners } from '@tessera/domain/token/token-issuer';
import type { TenantTransactions } from '../postgres/tenant-transaction';
import { newSealedKey, sealedKeySettings, type KeyLog } from './database-key-ring';
import { KeyEncryption } from './key-encryption';
import { loadPrivatePem, type KeyMaterial } from './key-material';
import { KeyRing, type RingEntry } from './key-ring';
import { repeatAfter, type Repeating } from './repeat-after';
import { tenantKeyStore } from './tenant-key-table';
import { tenantKeyListener } from './tenant-key-listener';
import type { PostgresListener } from '../postgres/postgres-listener';
import { ATTESTATION_MEMBER, type TrustAnchor } from './trust-anchor';
import { needsSettling, type KeySnapshot, type StoredKey } from './typeorm-signing-keys.adapter';

export interface TenantKeyOptions {
  secret: string;
  policy: SchedulePolicy;
  platformIssuer: string;
  alg: SigningAlg;
  rsaBits: number;
  cacheSize: number;
  reloadIntervalMs: number;
  /** Tokens beyond this lifetime (CLI mints) first record their exp on the key's row. */
  accessTtlSeconds: number;
  log: KeyLog;
}

export type AttestedJwk = PublicJwk & { [ATTESTATION_MEMBER]?: string };

/** One tenant's issuer as a node holds it: the signing ring and the published key set. */
export interface TenantIssuer {
  tenantId: string;
  slug: string;
  issuer: string;
  ring: KeyRing;
  jwks(): Promise<{ keys: AttestedJwk[] }>;
}

interface Entry {
  issuer: TenantIssuer;
  snap: KeySnapshot;
  offsetMs: number;
  loadedAt: number;
  jwks?: { at: number; doc: Promise<{ keys: AttestedJwk[] }> };
}

export function tenantKeyOptions(cfg: AppConfig, log: KeyLog): TenantKeyOptions {
  return {
    ...sealedKeySettings(cfg, log),
    platformIssuer: cfg.issuer,
    alg: cfg.tenantKeys.alg,
    rsaBits: cfg.tenantKeys.rsaBits,
    cacheSize: cfg.tenantKeys.cacheSize,
  };
}

/** Attestations live 7 days; a JWKS document is re-signed once a day. */
const JWKS_RESIGN_MS = 86_400_000;
/** A late-committing key row is still noticed: change polls look back this far. */
const CHANGE_LOOKBACK_MS = 5_000;

/**
 * Every tenant's issuer keys (ISSUER_MODE=tenant). Rings are loaded lazily, one tenant at a
 * time, into a bounded LRU; only the active key's private part is decrypted, the other keys are
 * public material from their JWK. A node notices changes (rotations, revocations) with one
 * cross-tenant query per KEY_RELOAD_INTERVAL whatever the number of tenants, and recomputes
 * each cached tenant's schedule on use at the database's clock, so promotions need no read.
 */
export class TenantKeys {
  private readonly enc: KeyEncryption;
  private readonly cache: LRUCache<string, Entry>;
  private readonly loading = new Map<string, Promise<Entry>>();
  /** A slug never changes tenant: known slugs are kept 10 minutes, unknown ones 5 seconds. */
  private readonly slugs = new LRUCache<string, { id?: string }>({ max: 100_000, ttl: 600_000 });
  private lastChangeCheck?: Date;
  private timer?: Repeating;
  private listener?: PostgresListener;

  constructor(
    private readonly ds: DataSource,
    private readonly tx: TenantTransactions,
    readonly anchor: TrustAnchor | undefined,
    readonly opts: TenantKeyOptions,
  ) {
    this.enc = new KeyEncryption(opts.secret);
    this.cache = new LRUCache<string, Entry>({ max: opts.cacheSize });
  }

  issuerFor(slug: string): string {
    return `${this.opts.platformIssuer}/t/${slug}`;
  }

  /** The store of one tenant's key rows. */
  store(tenantId: string) {
    return tenantKeyStore(this.ds, this.tx, this.opts.policy, tenantId);
  }

  get size(): number {
    return this.cache.size;
  }

  async forTenant(tenantId: string): Promise<TenantIssuer> {
    const entry = this.cache.get(tenantId);
    if (entry && this.fresh(entry)) return entry.issuer;
    return (await this.load(tenantId)).issuer;
  }

  /** The tenant behind an issuer path segment; undefined for an unknown or disabled slug. */
  async forSlug(slug: string): Promise<TenantIssuer | undefined> {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(slug)) return undefined;
    let known = this.slugs.get(slug);
    if (!known) {
      const rows = (await this.tx.crossTenant('tenant issuer by slug', (em) =>
        em.query(`SELECT id FROM tessera.tenants WHERE slug = $1 AND status = 'active'`, [slug]),
      )) as { id: string }[];
      known = { id: rows[0]?.id };
      this.slugs.set(slug, known, known.id ? {} : { ttl: 5_000 });
    }
    return known.id ? this.forTenant(known.id) : undefined;
  }

  /** The token issuer's view: the tenant's issuer and a signer that keeps long tokens' keys. */
  signers(): TenantSigners {
    return {
      forTenant: async (tenantId) => {
        const t = await this.forTenant(tenantId);
        const signer: TokenSigner = {
          kid: t.ring.kid,
          alg: t.ring.alg,
          publicJwk: () => t.ring.publicJwk(),
          sign: async (payload, typ) => {
            const exp = (payload as { exp?: unknown }).exp;
            const limit = Date.now() / 1000 + this.opts.accessTtlSeconds + 1;
            if (typeof exp === 'number' && exp > limit) {
              if (!(await this.store(tenantId).recordExp(t.ring.kid, new Date(exp * 1000)))) {
                throw new KeyConfigError(`signing key ${t.ring.kid} was retired: retry`);
              }
            }
            return t.ring.sign(payload, typ);
          },
        };
        return { issuer: t.issuer, signer };
      },
    };
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  /** A first key, active at once (nothing can have cached the tenant's JWKS yet); idempotent. */
  async ensureKey(tenantId: string, alg = this.opts.alg): Promise<boolean> {
    const store = this.store(tenantId);
    if ((await store.snapshot()).schedule.active) return false;
    const made = await store.insert(await this.newKey(alg), { onlyIfNoActive: true });
    this.invalidate(tenantId);
    return made !== undefined;
  }

  newKey(alg: SigningAlg, bits?: number) {
    return newSealedKey(this.enc, alg, alg === 'RS256' ? (bits ?? this.opts.rsaBits) : undefined);
  }

  /**
   * Watches for key changes of any tenant (one query per interval, plus LISTEN when given the
   * app role's URL, so a revocation reaches this node's cache at once), until stop().
   */
  start(appUrl?: string): this {
    if (appUrl) {
      this.listener = tenantKeyListener(
        appUrl,
        (tenantId) => this.invalidate(tenantId),
        (m) => this.opts.log.warn(m),
      );
      this.listener
        .start()
        .catch((e: Error) => this.opts.log.warn(`tenant key listener: ${e.message}`));
    }
    this.timer = repeatAfter(
      this.opts.reloadIntervalMs,
      () => this.pollChanges(),
      (e) => this.opts.log.warn(`tenant keys not rechecked: ${e.message}`),
    );
    return this;
  }

  stop(): void {
    this.timer?.stop();
    void this.listener?.close();
  }

  /** Drops the cached tenants whose key rows changed since the last poll. */
  async pollChanges(): Promise<void> {
    const since = this.lastChangeCheck;
    const rows = (await this.tx.crossTenant('tenant key changes', async (em: EntityManager) => {
      const [{ now }] = (await em.query(`SELECT clock_timestamp() AS now`)) as [{ now: Date }];
      const changed = since
        ? ((await em.query(
            `SELECT DISTINCT tenant_id FROM tessera.tenant_signing_keys
              WHERE created_at > $1 OR (retired_at > $1 AND retired_at <= $2)`,
            [new Date(since.getTime() - CHANGE_LOOKBACK_MS), now],
          )) as { tenant_id: string }[])
        : [];
      return { now, changed };
    })) as { now: Date; changed: { tenant_id: string }[] };
    if (since) for (const r of rows.changed) this.invalidate(r.tenant_id);
    this.lastChangeCheck = rows.now;
  }

  private fresh(e: Entry): boolean {
    const dbNow = Date.now() + e.offsetMs;
    const next = e.snap.schedule.nextChangeAt?.getTime();
    // A safety reload now and then, in case a change poll was lost.
    if (Date.now() - e.loadedAt > this.opts.reloadIntervalMs * 60) return false;
    return next === undefined || dbNow < next;
  }

  private load(tenantId: string): Promise<Entry> {
    let p = this.loading.get(tenantId);
    if (!p) {
      p = this.read(tenantId).finally(() => this.loading.delete(tenantId));
      this.loading.set(tenantId, p);
    }
    return p;
  }

  private async read(tenantId: string): Promise<Entry> {
    const store = this.store(tenantId);
    let snap = await store.snapshot();
    if (needsSettling(snap)) snap = await store.settle();
    if (!snap.schedule.active) {
      // Created with the tenant normally; a tenant from before ISSUER_MODE=tenant gets one here.
      await this.ensureKey(tenantId);
      snap = await store.snapshot();
    }
    const slug = await this.tx.run(async (em) => {
      const r = (await em.query(`SELECT slug FROM tessera.tenants WHERE id = $1`, [tenantId])) as {
        slug: string;
      }[];
      return r[0]?.slug;
    }, tenantId);
    if (!slug) throw new KeyConfigError(`tenant ${tenantId} does not exist`);
    const previous = this.cache.get(tenantId);
    const entries: RingEntry[] = [];
    for (const state of snap.schedule.keys) {
      if (state.status === 'retired') continue;
      const row = snap.rows.find((r) => r.kid === state.kid)!;
      const active = state.status === 'active';
      const cached = previous?.issuer.ring.verificationKey(row.kid);
      const material =
        active && !cached?.privateKey ? await this.decrypt(row) : (cached ?? publicMaterial(row));
      entries.push({
        material: active ? material : { ...material, privateKey: undefined },
        primary: active,
        status: state.status,
        createdAt: row.createdAt,
        activatedAt: state.activatedAt,
      });
    }
    const issuer = this.issuerFor(slug);
    const entry: Entry = {
      snap,
      offsetMs: snap.dbNow.getTime() - Date.now(),
      loadedAt: Date.now(),
      issuer: {
        tenantId,
        slug,
        issuer,
        ring: new KeyRing(entries),
        jwks: () => this.jwks(entry),
      },
    };
    this.cache.set(tenantId, entry);
    return entry;
  }

  private jwks(entry: Entry): Promise<{ keys: AttestedJwk[] }> {
    if (!entry.jwks || Date.now() - entry.jwks.at > JWKS_RESIGN_MS) {
      const { tenantId, issuer, ring } = entry.issuer;
      const doc = Promise.all(
        ring.list().map(async (k): Promise<AttestedJwk> => {
          if (!this.anchor) return k.publicJwk;
          const statement = await this.anchor.attest(k.publicJwk, { id: tenantId, issuer });
          return { ...k.publicJwk, [ATTESTATION_MEMBER]: statement };
        }),
      ).then((keys) => ({ keys }));
      entry.jwks = { at: Date.now(), doc };
      doc.catch(() => (entry.jwks = undefined));
    }
    return entry.jwks.doc;
  }

  private async decrypt(row: StoredKey): Promise<KeyMaterial> {
    const pem = this.enc.open(row.kid, row.alg, row.sealed!);
    const material = await loadPrivatePem(pem, undefined, `tenant signing key ${row.kid}`).finally(
      () => pem.fill(0),
    );
    if (material.kid !== row.kid || material.alg !== row.alg) {
      throw new KeyConfigError(`tenant signing key ${row.kid}: stored key does not match its kid`);
    }
    return material;
  }
}

/** Verification material from the stored public JWK: no decryption for keys that only verify. */
function publicMaterial(row: StoredKey): KeyMaterial {
  const { kid, alg, use: _use, ...members } = row.publicJwk;
  void _use;
  return {
    kid,
    alg,
    publicKey: createPublicKey({ key: members as never, format: 'jwk' }),
    jwk: row.publicJwk,
  };
}
