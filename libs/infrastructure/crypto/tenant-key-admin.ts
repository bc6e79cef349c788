import type { EntityManager } from 'typeorm';
import type { KeyState } from '@tessera/domain/keys/key-schedule';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { keyViews, type KeyView } from './key-rotation';
import type { TenantKeys } from './tenant-keys';
import { notifyTenantKeys } from './tenant-key-listener';

/** Token iat has second granularity and nodes switch signer within milliseconds of each other. */
const SIGNER_SWITCH_MARGIN_S = 5;

export interface RevokedKey {
  revoked: KeyView;
  successor?: KeyView;
  /** Unexpired access tokens the key signed, now on the denylist (and the revocation feed). */
  denied: number;
}

/** Every key of the tenant, retired ones included, with due transitions settled first. */
export async function listTenantKeys(keys: TenantKeys, tenantId: string): Promise<KeyView[]> {
  return keyViews(await keys.store(tenantId).settle(true));
}

/** `keys rotate --tenant`: a staged successor (active at once when the tenant has none). */
export async function rotateTenantKey(
  keys: TenantKeys,
  tenantId: string,
  alg?: SigningAlg,
  bits?: number,
): Promise<KeyView> {
  const store = keys.store(tenantId);
  const current = (await store.snapshot()).schedule.active;
  const currentAlg =
    current && (await store.snapshot()).rows.find((r) => r.kid === current.kid)?.alg;
  const key = await keys.newKey(alg ?? currentAlg ?? keys.opts.alg, bits);
  const snap = await store.insert(key);
  keys.invalidate(tenantId);
  return keyViews(snap!).find((k) => k.kid === key.kid)!;
}

/** `keys retire --tenant`: a staged or retiring key leaves the JWKS now; the signer is refused. */
export async function retireTenantKey(
  keys: TenantKeys,
  tenantId: string,
  kid: string,
): Promise<KeyView> {
  const r = await keys.store(tenantId).retire(kid);
  keys.invalidate(tenantId);
  if (r === 'unknown') throw new DomainError('not_found', `no signing key ${kid} for this tenant`);
  if (r === 'active') {
    throw new DomainError(
      'conflict',
      `signing key ${kid} is the tenant's active key: \`keys revoke --tenant\` replaces it at once, \`keys rotate --tenant\` on schedule`,
    );
  }
  return keyViews(r).find((k) => k.kid === kid)!;
}

/**
 * Emergency revocation: the key is retired now (out of the JWKS), its successor signs at once
 * when it was the signer (skipping KEY_PUBLISH_DELAY: a verifier that cached the JWKS before
 * refetches on the unknown kid), and every unexpired access token it signed is denied in the
 * same transaction (the denylist trigger puts each on the revocation feed).
 */
export async function revokeTenantKey(
  keys: TenantKeys,
  tenantId: string,
  kid: string,
  reason: string,
  leewaySeconds: number,
): Promise<RevokedKey> {
  const store = keys.store(tenantId);
  const row = (await store.snapshot(true)).rows.find((r) => r.kid === kid);
  if (!row) throw new DomainError('not_found', `no signing key ${kid} for this tenant`);
  const successor = await keys.newKey(row.alg);
  let denied = 0;
  const deny = async (em: EntityManager, state: KeyState) => {
    const r = (await em.query(
      `WITH d AS (
         INSERT INTO tessera.token_denylist (jti, tenant_id, expires_at, reason)
         SELECT jti, tenant_id, expires_at, 'signing key revoked'
           FROM tessera.api_tokens
          WHERE tenant_id = current_setting('app.tenant_id', true) AND kind = 'access'
            AND expires_at > now() - make_interval(secs => $3)
            AND created_at >= $1::timestamptz - make_interval(secs => $4)
            AND ($2::timestamptz IS NULL OR created_at <= $2::timestamptz + make_interval(secs => $4))
         ON CONFLICT DO NOTHING RETURNING 1)
       SELECT count(*)::int AS n FROM d`,
      [state.activatedAt, state.retiringAt ?? null, leewaySeconds, SIGNER_SWITCH_MARGIN_S],
    )) as [{ n: number }];
    denied = r[0].n;
  };
  // A staged key never signed: nothing to deny.
  const result = await store.revoke(kid, reason, successor, async (em, state) => {
    if (state.status !== 'staged') await deny(em, state);
    await notifyTenantKeys(em, tenantId);
  });
  keys.invalidate(tenantId);
  if (result === 'unknown')
    throw new DomainError('not_found', `no signing key ${kid} for this tenant`);
  if (result === 'retired')
    throw new DomainError('conflict', `signing key ${kid} is already retired`);
  const views = keyViews(result.snapshot);
  return {
    revoked: views.find((k) => k.kid === kid)!,
    successor: result.successor ? views.find((k) => k.kid === result.successor) : undefined,
    denied,
  };
}
