import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Resource servers (docs/resource-servers.md): the APIs a tenant registers, the ones each client
 * may ask tokens for (RFC 8707), and the revocation event feed (RFC 8936 poll delivery).
 *   - resource_servers.identifier is unique across tenants: it becomes a token's `aud`, and an
 *     API checks only `iss` and `aud`, so a second tenant must never mint for the same URI.
 *   - every child points at (tenant_id, parent): no row can reach another tenant's parent.
 *   - revocation_events are written in the revocation's own transaction; `seq` orders them
 *     (writers of one tenant serialise on an advisory lock, so seq order is commit order).
 *     Every denylist row gets its token-revoked event from a trigger, whichever code path
 *     denies: no revocation can reach the denylist and miss the feed.
 *   - existing denylist rows are copied as token-revoked events, so a stream's first poll
 *     names every token revoked before this migration too.
 * Row-level security exactly as in the tenancy migration. The SQL is inlined: a migration must
 * not change after it shipped.
 */
const TENANT = `NULLIF(current_setting('app.tenant_id', true), '')`;
const CROSS = `current_setting('app.cross_tenant', true) = 'on'`;
const OWN = `tenant_id = ${TENANT}`;

function secure(table: string): string[] {
  return [
    `ALTER TABLE tessera.${table} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE tessera.${table} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON tessera.${table} USING (${OWN}) WITH CHECK (${OWN})`,
    `CREATE POLICY cross_tenant ON tessera.${table} USING (${CROSS}) WITH CHECK (${CROSS})`,
  ];
}

const UP: string[] = [
  `CREATE TABLE tessera.resource_servers (
     id text PRIMARY KEY CHECK (id ~ '^rs_[0-9a-z]{26}$'),
     tenant_id text NOT NULL REFERENCES tessera.tenants (id),
     identifier text NOT NULL UNIQUE CHECK (char_length(identifier) BETWEEN 1 AND 2048),
     scopes text[] NOT NULL DEFAULT '{}',
     client_id text NOT NULL UNIQUE,
     status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
     created_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (tenant_id, id),
     FOREIGN KEY (tenant_id, client_id) REFERENCES tessera.clients (tenant_id, id)
   )`,
  ...secure('resource_servers'),

  `CREATE TABLE tessera.client_resources (
     tenant_id text NOT NULL REFERENCES tessera.tenants (id),
     client_id text NOT NULL,
     resource_server_id text NOT NULL,
     PRIMARY KEY (tenant_id, client_id, resource_server_id),
     FOREIGN KEY (tenant_id, client_id) REFERENCES tessera.clients (tenant_id, id) ON DELETE CASCADE,
     FOREIGN KEY (tenant_id, resource_server_id)
       REFERENCES tessera.resource_servers (tenant_id, id) ON DELETE CASCADE
   )`,
  ...secure('client_resources'),

  `CREATE TABLE tessera.revocation_events (
     seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     tenant_id text NOT NULL REFERENCES tessera.tenants (id),
     kind text NOT NULL
       CHECK (kind IN ('token-revoked', 'family-revoked', 'client-revoked', 'subject-revoked')),
     target text NOT NULL CHECK (char_length(target) BETWEEN 1 AND 255),
     iat_before timestamptz,
     expires_at timestamptz NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (tenant_id, seq)
   )`,
  `CREATE INDEX revocation_events_expires_idx ON tessera.revocation_events (expires_at)`,
  ...secure('revocation_events'),

  `CREATE TABLE tessera.revocation_streams (
     tenant_id text NOT NULL REFERENCES tessera.tenants (id),
     resource_server_id text NOT NULL,
     stream text NOT NULL CHECK (stream ~ '^[A-Za-z0-9_-]{1,64}$'),
     acked_through bigint NOT NULL DEFAULT 0,
     acked_above bigint[] NOT NULL DEFAULT '{}',
     last_seen_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, resource_server_id, stream),
     FOREIGN KEY (tenant_id, resource_server_id)
       REFERENCES tessera.resource_servers (tenant_id, id) ON DELETE CASCADE
   )`,
  // Same lock key as insertRevocationEvents (libs/infrastructure/revocation-feed), taken before
  // the sequence is drawn. Runs as the inserting role, so RLS checks the event like the row.
  `CREATE FUNCTION tessera.revocation_event_for_denial() RETURNS trigger
     LANGUAGE plpgsql SET search_path = pg_catalog, tessera AS $$
   BEGIN
     PERFORM pg_advisory_xact_lock(hashtext('tessera:revocation-events:' || NEW.tenant_id));
     INSERT INTO tessera.revocation_events (tenant_id, kind, target, expires_at)
     VALUES (NEW.tenant_id, 'token-revoked', NEW.jti, NEW.expires_at);
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER token_denylist_revocation_event AFTER INSERT ON tessera.token_denylist
     FOR EACH ROW EXECUTE FUNCTION tessera.revocation_event_for_denial()`,
  `CREATE INDEX revocation_streams_seen_idx ON tessera.revocation_streams (last_seen_at)`,
  ...secure('revocation_streams'),

  `SELECT set_config('app.cross_tenant', 'on', true)`,
  `INSERT INTO tessera.revocation_events (tenant_id, kind, target, expires_at, created_at)
   SELECT tenant_id, 'token-revoked', jti, expires_at, created_at
     FROM tessera.token_denylist WHERE expires_at > now() ORDER BY seq`,
  `SELECT set_config('app.cross_tenant', '', true)`,
];

const TABLES = ['revocation_streams', 'revocation_events', 'client_resources', 'resource_servers'];

export class ResourceServers1763800500000 implements MigrationInterface {
  name = 'ResourceServers1763800500000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of UP) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TRIGGER IF EXISTS token_denylist_revocation_event ON tessera.token_denylist`,
    );
    await q.query(`DROP FUNCTION IF EXISTS tessera.revocation_event_for_denial()`);
    for (const t of TABLES) await q.query(`DROP TABLE IF EXISTS tessera.${t}`);
  }
}
