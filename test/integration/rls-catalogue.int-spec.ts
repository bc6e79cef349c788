import { Client } from 'pg';
import { connectPg, createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

/** What Postgres itself says about the schema, read as the app role Tessera connects as. */
describe('RLS belt › catalogue', () => {
  let db: TestDatabase;
  let app: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await connectPg(db.appUrl);
  });
  afterAll(async () => {
    await app?.end();
    await db?.drop();
  });

  it('every table with a tenant_id column has ENABLE and FORCE row level security', async () => {
    const { rows } = await app.query<{ table: string; rls: boolean; forced: boolean }>(`
      SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'tessera' AND c.relkind IN ('r', 'p')
         AND EXISTS (SELECT 1 FROM pg_attribute a
                      WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
       ORDER BY 1`);
    expect(rows.map((r) => r.table)).toEqual(
      expect.arrayContaining([
        'api_tokens',
        'audit_events',
        'client_resources',
        'clients',
        'exchange_mappings',
        'idempotency_keys',
        'memberships',
        'resource_servers',
        'revocation_events',
        'revocation_streams',
        'tenant_signing_keys',
        'token_denylist',
        'trusted_issuers',
      ]),
    );
    expect(rows.filter((r) => !r.rls || !r.forced)).toEqual([]);
  });

  it('tenants and users are row-level secured too', async () => {
    const { rows } = await app.query<{ relname: string }>(`
      SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'tessera' AND c.relname IN ('tenants', 'users')
         AND c.relrowsecurity AND c.relforcerowsecurity ORDER BY 1`);
    expect(rows.map((r) => r.relname)).toEqual(['tenants', 'users']);
  });

  it('every policy on a tenant table fails closed: it reads app.tenant_id through NULLIF or is the cross-tenant policy', async () => {
    const { rows } = await app.query<{
      table: string;
      policy: string;
      qual: string;
      check: string;
    }>(`
      SELECT tablename AS table, policyname AS policy, qual, with_check AS check
        FROM pg_policies WHERE schemaname = 'tessera' ORDER BY 1, 2`);
    expect(rows.length).toBeGreaterThan(0);
    for (const p of rows) {
      if (p.policy === 'cross_tenant') {
        expect(p.qual).toContain(`current_setting('app.cross_tenant'::text, true) = 'on'::text`);
        expect(p.check).toBe(p.qual);
      } else {
        expect(p.qual).toContain(`NULLIF(current_setting('app.tenant_id'::text, true), ''::text)`);
        if (p.table !== 'users') expect(p.check).toBe(p.qual);
      }
    }
  });

  it('the app role is not superuser, has no BYPASSRLS and owns nothing in the database', async () => {
    const { rows } = await app.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
    );
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
    const owned = await app.query(`
      SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
       WHERE r.rolname = current_user
      UNION ALL
      SELECT n.nspname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
       WHERE r.rolname = current_user`);
    expect(owned.rows).toEqual([]);
  });

  it('the app role has DML on the tables but no TRUNCATE (which ignores RLS) and cannot rewrite the audit trail', async () => {
    const { rows } = await app.query<{ t: string; p: string; ok: boolean }>(`
      SELECT t, p, has_table_privilege(current_user, 'tessera.' || t, p) AS ok
        FROM unnest(ARRAY['tenants','users','memberships','clients','api_tokens','token_denylist','signing_keys','audit_events','resource_servers','client_resources','revocation_events','revocation_streams','idempotency_keys','exchange_mappings']) t,
             unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p`);
    const granted = (t: string, p: string) => rows.find((r) => r.t === t && r.p === p)!.ok;
    expect(granted('tenants', 'SELECT')).toBe(true);
    expect(granted('token_denylist', 'DELETE')).toBe(true);
    expect(rows.filter((r) => ['TRUNCATE', 'REFERENCES', 'TRIGGER'].includes(r.p) && r.ok)).toEqual(
      [],
    );
    expect(granted('audit_events', 'INSERT')).toBe(true);
    expect(granted('audit_events', 'UPDATE')).toBe(false);
    expect(granted('audit_events', 'DELETE')).toBe(false);
  });

  it('keys: the app role inserts and moves only lifecycle columns; never deletes or rewrites material', async () => {
    const { rows } = await app.query<{ t: string; p: string; ok: boolean }>(`
      SELECT t, p, has_table_privilege(current_user, 'tessera.' || t, p) AS ok
        FROM unnest(ARRAY['tenant_signing_keys','trust_anchor_keys']) t,
             unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) p`);
    const granted = (t: string, p: string) => rows.find((r) => r.t === t && r.p === p)!.ok;
    for (const t of ['tenant_signing_keys', 'trust_anchor_keys']) {
      expect([granted(t, 'SELECT'), granted(t, 'INSERT')]).toEqual([true, true]);
      expect([granted(t, 'UPDATE'), granted(t, 'DELETE'), granted(t, 'TRUNCATE')]).toEqual([
        false,
        false,
        false,
      ]);
    }
    const cols = await app.query<{ c: string; ok: boolean }>(`
      SELECT c, has_column_privilege(current_user, 'tessera.tenant_signing_keys', c, 'UPDATE') AS ok
        FROM unnest(ARRAY['status','activated_at','retired_at','max_exp','revoked_reason',
                          'kid','alg','public_jwk','private_key_enc','created_at','tenant_id']) c`);
    expect(cols.rows.filter((r) => r.ok).map((r) => r.c)).toEqual([
      'status',
      'activated_at',
      'retired_at',
      'max_exp',
      'revoked_reason',
    ]);
  });

  it('the app role can create nothing: no CREATE on any schema, no temporary tables on the pool', async () => {
    const { rows } = await app.query<{ nspname: string }>(`
      SELECT nspname FROM pg_namespace
       WHERE has_schema_privilege(current_user, oid, 'CREATE') ORDER BY 1`);
    expect(rows).toEqual([]);
    const db = await app.query<{ temp: boolean; create: boolean }>(`
      SELECT has_database_privilege(current_user, current_database(), 'TEMPORARY') AS temp,
             has_database_privilege(current_user, current_database(), 'CREATE') AS create`);
    expect(db.rows).toEqual([{ temp: false, create: false }]);
    // A temporary table would outlive the request on a pooled connection and, being searched
    // before the schema, shadow an unqualified table for every later request on it.
    await expect(app.query('CREATE TEMP TABLE clients (id text)')).rejects.toThrow(
      /permission denied/,
    );
  });

  it('no SECURITY DEFINER function in the database and every view is security_invoker', async () => {
    const fns = await app.query<{ fn: string }>(`
      SELECT p.oid::regprocedure::text AS fn FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')`);
    expect(fns.rows).toEqual([]);
    const views = await app.query<{ relname: string }>(`
      SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'tessera' AND c.relkind IN ('v', 'm')
         AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)`);
    expect(views.rows).toEqual([]);
  });

  it('the app role cannot touch the migrations table', async () => {
    await expect(app.query('DELETE FROM tessera.migrations')).rejects.toThrow(/permission denied/);
  });
});
