import type { DataSource, EntityManager } from 'typeorm';
import type {
  PrincipalRevocation,
  PrincipalRevocationResult,
  PrincipalRevocations,
} from '@tessera/application/revoke-token/principal-revocations.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { TenantTransactions } from '../postgres/tenant-transaction';
import { insertRevocationEvents } from '../revocation-feed/revocation-events';
import { insertAuditEvent } from '../audit/typeorm-audit-log.adapter';

/** UPDATE … RETURNING comes back as [rows, count] through TypeORM's postgres driver. */
const returned = <T>(r: unknown): T[] =>
  (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as T[];

/** A refresh rotation records at most one successor per statement: this bounds the re-reads. */
const MAX_PASSES = 10;

/** api_tokens, the denylist and the revocation feed, in one transaction (under RLS). */
export class TypeOrmPrincipalRevocations implements PrincipalRevocations {
  private readonly tx: TenantTransactions;

  constructor(ds: DataSource) {
    this.tx = new TenantTransactions(ds);
  }

  revokeAll(r: PrincipalRevocation): Promise<PrincipalRevocationResult> {
    const column = r.principal.kind === 'client' ? 'client_id' : 'subject';
    const target = r.principal.kind === 'client' ? r.principal.clientId : r.principal.sub;
    return this.tx
      .run(async (em) => {
        const { newlyRevoked, families } = await markRevoked(em, column, target, r.issuedBefore);
        // Every access token still accepted, already revoked or not: a repeat finishes what an
        // earlier call left undone. The denylist trigger writes each one's token-revoked event.
        // A family's access tokens too, even one a racing rotation minted just after the cut-off.
        const live = await em.query<{ jti: string; expires_at: Date }[]>(
          `SELECT jti, expires_at FROM api_tokens
           WHERE ${column} = $1 AND kind = 'access' AND expires_at > $3
             AND (created_at <= $2 OR family_id = ANY($4::text[]))`,
          [target, r.issuedBefore, r.acceptedSince, families],
        );
        await em.query(
          `INSERT INTO tessera.token_denylist (jti, tenant_id, expires_at, reason)
           SELECT u.jti, $1, u.expires_at, $4
           FROM unnest($2::text[], $3::timestamptz[]) AS u(jti, expires_at)
           ON CONFLICT (jti) DO NOTHING`,
          [
            r.tenantId,
            live.map((t) => t.jti),
            live.map((t) => t.expires_at),
            r.reason.slice(0, 200),
          ],
        );
        const latest = live.reduce((m, t) => Math.max(m, t.expires_at.getTime()), 0);
        await insertAuditEvent(em, {
          tenantId: r.tenantId,
          actor: r.actor,
          action: 'token.revoke_all',
          target: `${r.principal.kind}:${target}`,
          // (A detail key naming a token would be dropped by the audit's credential belt.)
          details: {
            reason: r.reason,
            issued_before: r.issuedBefore.toISOString(),
            jtis_denied: live.length,
            families_revoked: families.length,
            rows_revoked: newlyRevoked,
          },
        });
        // Last statement: the feed's tenant lock is held only until the commit.
        await insertRevocationEvents(em, r.tenantId, [
          {
            kind: r.principal.kind === 'client' ? 'client-revoked' : 'subject-revoked',
            target,
            iatBefore: r.issuedBefore,
            expiresAt: new Date(Math.max(latest, r.keepEventUntil.getTime())),
          },
        ]);
        const denied = live.map((t) => ({
          jti: t.jti,
          tenantId: r.tenantId,
          expiresAt: t.expires_at,
          reason: r.reason,
        }));
        return { denied, families, newlyRevoked };
      }, r.tenantId)
      .catch((e: unknown) => {
        if (e instanceof DomainError) throw e;
        throw new DomainError('temporarily_unavailable', 'the token database is unavailable', {
          cause: e,
        });
      });
  }
}

/**
 * Marks the principal's rows revoked until a pass finds none left. A refresh rotation is one
 * statement that updates its token (only if not revoked) and inserts the successor: one that
 * committed while a pass waited on its row is seen by the next pass (a statement reads what
 * committed before it began), and one that comes later waits on our row lock, then finds its
 * token revoked and records nothing.
 */
async function markRevoked(em: EntityManager, column: string, target: string, before: Date) {
  const families = new Set<string>();
  let newlyRevoked = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const rows = returned<{ family_id: string | null }>(
      await em.query(
        `UPDATE api_tokens SET revoked_at = now()
         WHERE ${column} = $1 AND revoked_at IS NULL
           AND (created_at <= $2 OR family_id IN (
             SELECT family_id FROM api_tokens
             WHERE ${column} = $1 AND family_id IS NOT NULL AND created_at <= $2))
         RETURNING family_id`,
        [target, before],
      ),
    );
    if (rows.length === 0) break;
    newlyRevoked += rows.length;
    for (const row of rows) if (row.family_id) families.add(row.family_id);
  }
  return { newlyRevoked, families: [...families] };
}
