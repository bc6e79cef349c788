import type { DataSource } from 'typeorm';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { KeyStatus } from '@tessera/domain/keys/signing-key';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { KeyEncryption } from './key-encryption';
import { newSealedKey, type DatabaseKeyOptions } from './database-key-ring';
import { TypeOrmSigningKeys, type KeySnapshot } from './typeorm-signing-keys.adapter';

/** One key as `keys list|rotate|retire --json` print it (times ISO 8601, database clock). */
export interface KeyView {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  created_at: string;
  /** When it signs (or signed, or will sign) first. */
  activated_at: string;
  /** When a successor took over. */
  retiring_at: string | null;
  /** When it leaves (or left) the JWKS; null while no successor is active. */
  retired_at: string | null;
}

const iso = (d?: Date | null) => (d ? d.toISOString() : null);

export function keyViews(snap: KeySnapshot): KeyView[] {
  return snap.rows.map((row) => {
    const s = snap.schedule.keys.find((k) => k.kid === row.kid)!;
    return {
      kid: row.kid,
      alg: row.alg,
      status: s.status,
      created_at: row.createdAt.toISOString(),
      activated_at: s.activatedAt.toISOString(),
      retiring_at: iso(s.retiringAt),
      retired_at: iso(row.retiredAt ?? s.retiredAt),
    };
  });
}

const store = (ds: DataSource, opts: DatabaseKeyOptions) => new TypeOrmSigningKeys(ds, opts.policy);

/** Every key, retired ones included, with due transitions settled first. */
export async function listKeys(ds: DataSource, opts: DatabaseKeyOptions): Promise<KeyView[]> {
  return keyViews(await store(ds, opts).settle(true));
}

/**
 * A new key, staged: published at once, signing after KEY_PUBLISH_DELAY; active at once when no
 * key is active (the first key). The key pair is generated on the libuv pool.
 */
export async function rotateKey(
  ds: DataSource,
  opts: DatabaseKeyOptions,
  alg: SigningAlg,
  bits?: number,
): Promise<KeyView> {
  const key = await newSealedKey(new KeyEncryption(opts.secret), alg, bits);
  const snap = await store(ds, opts).insert(key);
  return keyViews(snap!).find((k) => k.kid === key.kid)!;
}

/** Takes a staged or retiring key out of the JWKS now; the active key is refused. */
export async function retireKey(
  ds: DataSource,
  opts: DatabaseKeyOptions,
  kid: string,
): Promise<KeyView> {
  const r = await store(ds, opts).retire(kid);
  if (r === 'unknown') throw new DomainError('not_found', `no signing key ${kid}`);
  if (r === 'active') {
    throw new DomainError(
      'conflict',
      `signing key ${kid} is the active key and cannot be retired: run \`keys rotate\`, then retire it once its successor is active`,
    );
  }
  return keyViews(r).find((k) => k.kid === kid)!;
}
