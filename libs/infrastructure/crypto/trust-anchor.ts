import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { PublicJwk } from '@tessera/domain/token/token-signer.port';
import { KeyConfigError } from '@tessera/domain/keys/keys.errors';
import { KeyEncryption } from './key-encryption';
import { publicJwkOf } from './key-material';
import { signCompact } from './jws';

const generate = promisify(generateKeyPair);

/** The JWS `typ` of a key attestation: never accepted where an access token is expected. */
export const ATTESTATION_TYP = 'tessera-key-attestation+jwt';
/** How long one attestation is valid; tenant JWKS documents re-sign well before (daily). */
export const ATTESTATION_LIFETIME_SECONDS = 7 * 86_400;

/** The JWK member carrying the attestation of a tenant key (RFC 7517 §4: extra members are
 * allowed and ignored by verifiers that do not know them). */
export const ATTESTATION_MEMBER = 'tessera_attestation';

/**
 * The platform trust anchor: one Ed25519 key, sealed in trust_anchor_keys, that signs a key
 * statement for every tenant key (in the manner of NATS account JWTs: issuer = the platform,
 * subject = the tenant key's RFC 7638 thumbprint, bound to the tenant's issuer and id, with
 * nbf/exp). A resource server that pins only this key's public half verifies any tenant's
 * tokens and refuses a key the platform did not attest for that tenant. It is not rotated
 * automatically: it is what verifiers pin (docs/tenant-issuers.md).
 */
export class TrustAnchor {
  private constructor(
    readonly jwk: PublicJwk,
    private readonly privateKey: KeyObject,
    private readonly platformIssuer: string,
  ) {}

  /** Reads the anchor, creating it when none exists (nodes starting together create one). */
  static async open(ds: DataSource, secret: string, platformIssuer: string): Promise<TrustAnchor> {
    const enc = new KeyEncryption(secret);
    let row = await TrustAnchor.read(ds);
    if (!row) {
      const pair = await generate('ed25519', undefined);
      const jwk = await publicJwkOf(pair.publicKey, 'EdDSA');
      const pem = Buffer.from(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
      await ds.transaction(async (em) => {
        await em.query(`SELECT pg_advisory_xact_lock(hashtext('tessera:trust_anchor_keys'))`);
        const exists = (await em.query(`SELECT 1 FROM tessera.trust_anchor_keys LIMIT 1`)) as [];
        if (exists.length) return;
        await em.query(
          `INSERT INTO tessera.trust_anchor_keys (kid, alg, public_jwk, private_key_enc)
           VALUES ($1, 'EdDSA', $2::jsonb, $3)`,
          [jwk.kid, JSON.stringify(jwk), enc.seal(jwk.kid, 'EdDSA', pem)],
        );
      });
      pem.fill(0);
      row = await TrustAnchor.read(ds);
    }
    const pem = enc.open(row!.kid, 'EdDSA', row!.private_key_enc);
    try {
      const privateKey = createPrivateKey({ key: pem, format: 'pem' });
      const jwk = await publicJwkOf(createPublicKey(privateKey), 'EdDSA');
      if (jwk.kid !== row!.kid)
        throw new KeyConfigError('trust anchor: stored key does not match its kid');
      return new TrustAnchor(jwk, privateKey, platformIssuer);
    } finally {
      pem.fill(0);
    }
  }

  private static async read(ds: DataSource) {
    const rows = (await ds.query(
      `SELECT kid, private_key_enc FROM tessera.trust_anchor_keys ORDER BY created_at, kid LIMIT 1`,
    )) as { kid: string; private_key_enc: Buffer }[];
    return rows[0];
  }

  /** The key statement for one tenant key (compact JWS, EdDSA, signed on the libuv pool). */
  async attest(
    key: PublicJwk,
    tenant: { id: string; issuer: string },
    nowSeconds = Math.floor(Date.now() / 1000),
  ): Promise<string> {
    const sub = await calculateJwkThumbprint(key as JWK, 'sha256');
    return signCompact(
      { alg: 'EdDSA', kid: this.jwk.kid, typ: ATTESTATION_TYP },
      {
        iss: this.platformIssuer,
        sub,
        tenant_iss: tenant.issuer,
        org: tenant.id,
        alg: key.alg,
        iat: nowSeconds,
        nbf: nowSeconds - 60,
        exp: nowSeconds + ATTESTATION_LIFETIME_SECONDS,
      },
      this.privateKey,
    );
  }
}
