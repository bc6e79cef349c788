import type { EntityManager } from 'typeorm';
import type { RevocationEventKind } from '@tessera/domain/revocation/security-event';

export interface NewRevocationEvent {
  kind: RevocationEventKind;
  /** The access token's jti, the family id, the client_id or the subject. */
  target: string;
  /** When every token it names has expired. */
  expiresAt: Date;
  /** client-revoked / subject-revoked: tokens issued at or before this are revoked. */
  iatBefore?: Date;
}

/**
 * Token-revoked events need no call: a trigger on token_denylist writes one for every new row.
 * This is for the broader kinds (family, client, subject revocations).
 *
 * Appends revocation events inside the caller's transaction, which must be scoped to
 * `tenantId` (TenantTransactions.run): the events commit, or roll back, with the revocation.
 *
 * Writers of one tenant serialise on a transaction-level advisory lock taken before the
 * sequence is drawn, so a tenant's seq order is its commit order: a reader that has seen seq n
 * can never later find a smaller one, and a stream's cursor never skips an event. Call it as
 * the transaction's last statement, so the lock is held only until the commit.
 */
export async function insertRevocationEvents(
  em: EntityManager,
  tenantId: string,
  events: readonly NewRevocationEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
    `tessera:revocation-events:${tenantId}`,
  ]);
  await em.query(
    `INSERT INTO tessera.revocation_events (tenant_id, kind, target, iat_before, expires_at)
     SELECT $1, u.kind, u.target, u.iat_before, u.expires_at
       FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
            WITH ORDINALITY AS u(kind, target, iat_before, expires_at, n)
      ORDER BY u.n`,
    [
      tenantId,
      events.map((e) => e.kind),
      events.map((e) => e.target),
      events.map((e) => e.iatBefore ?? null),
      events.map((e) => e.expiresAt),
    ],
  );
}
