import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Bounded token records and a denylist resync that cannot miss a late commit.
 *
 * api_tokens → memberships was a foreign key: a member with any token on record could never be
 * removed, and records are kept until they expire (then pruned). What the key guarded — a
 * token naming a user is issued only to a member of the same tenant — is now checked when the
 * row is written, by a trigger that runs as the writer (RLS applies: another tenant's member
 * is invisible, so cannot be named) and locks the membership FOR KEY SHARE, so a removal
 * cannot interleave with the insert. It raises foreign_key_violation like the key did.
 * Removing a member later leaves their records (revocation and `token list` still find them
 * by user_id) until pruning drops them after expiry.
 *
 * token_denylist.xid: the writing transaction's id (xid8, never wraps). A resync keeps the
 * snapshot it read under and next reads only rows whose transaction that snapshot did not see,
 * so a row that committed late (lower seq, later commit) is still picked up, without a
 * re-read window.
 * The SQL is inlined: a migration must not change after it shipped.
 */
const UP: string[] = [
  // Found by what it references, not by its generated name.
  `DO $$
   DECLARE c text;
   BEGIN
     FOR c IN SELECT conname FROM pg_constraint
               WHERE conrelid = 'tessera.api_tokens'::regclass AND contype = 'f'
                 AND confrelid = 'tessera.memberships'::regclass LOOP
       EXECUTE format('ALTER TABLE tessera.api_tokens DROP CONSTRAINT %I', c);
     END LOOP;
   END $$`,
  `CREATE FUNCTION tessera.api_tokens_member_check() RETURNS trigger
     LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
   BEGIN
     PERFORM 1 FROM tessera.memberships m
      WHERE m.tenant_id = NEW.tenant_id AND m.user_id = NEW.user_id FOR KEY SHARE;
     IF NOT FOUND THEN
       RAISE EXCEPTION 'insert or update on table "api_tokens" violates foreign key constraint "api_tokens_member_check"'
         USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'api_tokens_member_check';
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER api_tokens_member_check
     BEFORE INSERT OR UPDATE OF tenant_id, user_id ON tessera.api_tokens
     FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION tessera.api_tokens_member_check()`,

  `ALTER TABLE tessera.token_denylist ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()`,
  `CREATE INDEX token_denylist_xid_idx ON tessera.token_denylist (xid)`,
];

const DOWN: string[] = [
  `DROP INDEX IF EXISTS tessera.token_denylist_xid_idx`,
  `ALTER TABLE tessera.token_denylist DROP COLUMN IF EXISTS xid`,
  `DROP TRIGGER IF EXISTS api_tokens_member_check ON tessera.api_tokens`,
  `DROP FUNCTION IF EXISTS tessera.api_tokens_member_check()`,
  `ALTER TABLE tessera.api_tokens ADD CONSTRAINT api_tokens_tenant_id_user_id_fkey
     FOREIGN KEY (tenant_id, user_id) REFERENCES tessera.memberships (tenant_id, user_id)`,
];

export class BoundedRecords1763800700000 implements MigrationInterface {
  name = 'BoundedRecords1763800700000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of UP) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of DOWN) await q.query(sql);
  }
}
