import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Durable refresh-token consumption (docs/refresh-tokens.md). The state lives on the existing
 * api_tokens refresh rows, so whatever prunes expired rows prunes it too, and RLS already
 * covers it:
 *   - token_hash: SHA-256 (hex) of the refresh token, so a revocation can find its family in
 *     Postgres when Redis is down;
 *   - consumed_at: set once, by the one transaction that also records the successor;
 *   - successor_sealed: that successor pair, sealed with a key derived from the old token (the
 *     database alone cannot open it), handed to a retry inside the grace window.
 * The SQL is inlined: a migration must not change after it shipped.
 */
const UP: string[] = [
  `ALTER TABLE tessera.api_tokens
     ADD COLUMN token_hash text CHECK (token_hash ~ '^[0-9a-f]{64}$'),
     ADD COLUMN consumed_at timestamptz,
     ADD COLUMN successor_sealed text CHECK (char_length(successor_sealed) <= 32768),
     ADD CONSTRAINT api_tokens_refresh_state_check
       CHECK (kind = 'refresh' OR (token_hash IS NULL AND consumed_at IS NULL AND successor_sealed IS NULL))`,
  `CREATE UNIQUE INDEX api_tokens_token_hash_idx ON tessera.api_tokens (tenant_id, token_hash)
     WHERE token_hash IS NOT NULL`,
];

const DOWN: string[] = [
  `DROP INDEX IF EXISTS tessera.api_tokens_token_hash_idx`,
  `ALTER TABLE tessera.api_tokens
     DROP CONSTRAINT IF EXISTS api_tokens_refresh_state_check,
     DROP COLUMN IF EXISTS successor_sealed,
     DROP COLUMN IF EXISTS consumed_at,
     DROP COLUMN IF EXISTS token_hash`,
];

export class RefreshConsumption1763800400000 implements MigrationInterface {
  name = 'RefreshConsumption1763800400000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of UP) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of DOWN) await q.query(sql);
  }
}
