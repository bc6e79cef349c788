import {
  calculateJwkThumbprint,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTHeaderParameters,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { remoteKeys, type JwksOptions, type RemoteKeys } from './jwks';
import { TokenRuleViolation, type KeyForKid } from './verification-rules';

/** The JWK member and JWS typ of Tessera's key attestations (docs/tenant-issuers.md). */
export const ATTESTATION_MEMBER = 'tessera_attestation';
export const ATTESTATION_TYP = 'tessera-key-attestation+jwt';
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** What a valid attestation says about one tenant key. */
export interface Attested {
  /** The tenant (`org`) the platform attested the key for. */
  org: string;
  /** Unix seconds: the attestation's exp (the key is refused after it unless re-attested). */
  exp: number;
}

export interface TenantKeySet extends KeyForKid {
  publishes(kid: string): boolean;
  /** The attestation of a key the last lookup accepted; undefined for any other kid. */
  attested(kid: string): Attested | undefined;
}

/**
 * Tenant issuers under a platform trust anchor: the keys of `{platform}/t/{slug}` come from that
 * issuer's own JWKS (a URL derived from the pinned platform issuer and the slug, never one a
 * token names), and a key is used only when it carries a statement signed by the trust anchor
 * that binds its RFC 7638 thumbprint and algorithm to exactly this issuer, within nbf/exp.
 */
export class AttestedTenantKeys {
  private readonly sets: LRUCache<string, TenantKeySet>;
  private anchor?: ReturnType<typeof importJWK>;

  constructor(
    private readonly platformIssuer: string,
    private readonly trustAnchor: JWK,
    private readonly jwks: JwksOptions,
    maxTenants = 1000,
  ) {
    if (trustAnchor.kty !== 'OKP' || trustAnchor.crv !== 'Ed25519' || 'd' in trustAnchor) {
      throw new TypeError(
        '@tessera/resource-server: option "trustAnchor" must be the public Ed25519 JWK from `keys anchor`',
      );
    }
    this.sets = new LRUCache({ max: maxTenants });
  }

  /** The slug of a tenant issuer under the pinned platform; undefined for anything else. */
  slugOf(iss: unknown): string | undefined {
    const prefix = `${this.platformIssuer}/t/`;
    if (typeof iss !== 'string' || !iss.startsWith(prefix)) return undefined;
    const slug = iss.slice(prefix.length);
    return SLUG.test(slug) ? slug : undefined;
  }

  forIssuer(iss: string): TenantKeySet {
    let set = this.sets.get(iss);
    if (!set) {
      set = this.build(iss);
      this.sets.set(iss, set);
    }
    return set;
  }

  private build(iss: string): TenantKeySet {
    const remote: RemoteKeys = remoteKeys(`${iss}/.well-known/jwks.json`, this.jwks);
    const accepted = new Map<string, Attested>();
    const keyFor = async (kid: string, header: JWTHeaderParameters) => {
      const key = await remote(kid, header);
      const jwk = remote.jwk(kid);
      const ok = jwk && (await this.verifyAttestation(jwk, iss));
      if (!ok) throw new TokenRuleViolation('invalid');
      accepted.set(kid, ok);
      return key;
    };
    return Object.assign(keyFor, {
      publishes: (kid: string) => remote.publishes(kid),
      attested: (kid: string) => {
        const a = accepted.get(kid);
        return a && a.exp > Date.now() / 1000 ? a : undefined;
      },
    });
  }

  /** The statement must be the anchor's, for this key, this issuer and this algorithm. */
  async verifyAttestation(
    jwk: JWK & { tessera_attestation?: unknown },
    iss: string,
  ): Promise<Attested | undefined> {
    const statement = (jwk as Record<string, unknown>)[ATTESTATION_MEMBER];
    if (typeof statement !== 'string' || statement.length > 4096) return undefined;
    try {
      this.anchor ??= importJWK({ ...this.trustAnchor, alg: 'EdDSA' }, 'EdDSA');
      const { payload } = await jwtVerify(statement, await this.anchor, {
        issuer: this.platformIssuer,
        typ: ATTESTATION_TYP,
        algorithms: ['EdDSA'],
        requiredClaims: ['sub', 'exp', 'nbf'],
      });
      const { kty, crv, x, y, n, e } = jwk;
      const thumbprint = await calculateJwkThumbprint({ kty, crv, x, y, n, e } as JWK, 'sha256');
      if (
        payload.sub !== thumbprint ||
        payload.tenant_iss !== iss ||
        payload.alg !== jwk.alg ||
        typeof payload.org !== 'string'
      ) {
        return undefined;
      }
      return { org: payload.org, exp: payload.exp! };
    } catch {
      return undefined;
    }
  }
}
