import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Refresh tokens minted from a session before session-minted tokens stopped getting one
 * (they name the built-in `tessera-console` client, which is no registered client and so can
 * never redeem them): their api_tokens rows are marked revoked, the durable truth the refresh
 * grant and introspection read first, as a family revocation does (docs/refresh-tokens.md).
 * Their Redis records need no step here: nothing can redeem them, and a revoked row answers
 * first. The access tokens of those families are left alone: each was issued to its user on
 * purpose and lives out its own `exp`.
 * Runs as the owner; api_tokens forces row-level security, so the cross-tenant switch is set
 * for this transaction only (as in the resource-servers migration). Safe to run twice: only
 * rows not yet revoked change. Numbered between 0700000 and 0800000 so that it cannot collide
 * with a migration written at the same time on another branch. The SQL is inlined: a
 * migration must not change after it shipped.
 */
const UP: string[] = [
  `SELECT set_config('app.cross_tenant', 'on', true)`,
  `UPDATE tessera.api_tokens SET revoked_at = now()
    WHERE client_id = 'tessera-console' AND kind = 'refresh' AND revoked_at IS NULL`,
  `SELECT set_config('app.cross_tenant', '', true)`,
];

export class ConsoleRefreshTokens1763800750000 implements MigrationInterface {
  name = 'ConsoleRefreshTokens1763800750000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of UP) await q.query(sql);
  }

  /** Nothing to undo: a revoked token stays revoked. */
  async down(): Promise<void> {}
}
