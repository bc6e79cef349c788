import { Client } from 'pg';

/**
 * Two roles (SECURITY.md, "Postgres RLS with a pool"): the owner runs migrations and owns every
 * object; the app role Tessera connects as owns nothing and is NOSUPERUSER NOBYPASSRLS, so
 * row-level security binds it. Identifiers and passwords go through format(%I/%L) server-side.
 */
export interface ProvisionSpec {
  database: string;
  ownerRole: string;
  ownerPassword: string;
  appRole: string;
  appPassword: string;
}

export const SCHEMA = 'tessera';

async function exec(c: Client, template: string, ...args: string[]): Promise<void> {
  const { rows } = await c.query<{ sql: string }>(
    `SELECT format($1::text, ${args.map((_, i) => `$${i + 2}::text`).join(', ')}) AS sql`,
    [template, ...args],
  );
  await c.query(rows[0]!.sql);
}

async function ensureRole(c: Client, role: string, password: string, attrs: string): Promise<void> {
  const { rowCount } = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  await exec(
    c,
    `${rowCount ? 'ALTER' : 'CREATE'} ROLE %I WITH LOGIN PASSWORD %L ${attrs}`,
    role,
    password,
  );
}

export function withCredentials(
  url: string,
  user: string,
  password: string,
  database: string,
): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Lost races between two processes provisioning at once (a server and the CLI starting). */
const RACE_CODES = new Set(['23505', '42710', '42P04', 'XX000', '40001']);

/** Idempotent: safe on every embedded start and in every test database. */
export async function provisionDatabase(
  superuserUrl: string,
  spec: ProvisionSpec,
): Promise<{ ownerUrl: string; appUrl: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await provisionOnce(superuserUrl, spec);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (attempt >= 4 || !code || !RACE_CODES.has(code)) throw e;
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
  }
}

async function provisionOnce(
  superuserUrl: string,
  spec: ProvisionSpec,
): Promise<{ ownerUrl: string; appUrl: string }> {
  const admin = new Client({ connectionString: superuserUrl });
  await admin.connect();
  try {
    await ensureRole(
      admin,
      spec.ownerRole,
      spec.ownerPassword,
      'NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE',
    );
    await ensureRole(
      admin,
      spec.appRole,
      spec.appPassword,
      'NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT',
    );
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      spec.database,
    ]);
    if (!rowCount) await exec(admin, 'CREATE DATABASE %I OWNER %I', spec.database, spec.ownerRole);
    await exec(admin, 'REVOKE ALL ON DATABASE %I FROM PUBLIC', spec.database);
    await exec(admin, 'GRANT CONNECT ON DATABASE %I TO %I', spec.database, spec.appRole);
    // No temporary objects: a temp table outlives the request on a pooled connection and is
    // searched before the schema, so it could shadow a table for every later request there.
    // Revoked explicitly, for databases provisioned before this rule.
    await exec(admin, 'REVOKE TEMPORARY ON DATABASE %I FROM %I', spec.database, spec.appRole);
    // Migrations read the app role's name from here to grant it table privileges.
    await exec(admin, 'ALTER DATABASE %I SET tessera.app_role = %L', spec.database, spec.appRole);
  } finally {
    await admin.end();
  }
  const inDb = new URL(superuserUrl);
  inDb.pathname = `/${encodeURIComponent(spec.database)}`;
  const db = new Client({ connectionString: inDb.toString() });
  await db.connect();
  try {
    await db.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
    await exec(db, 'CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', SCHEMA, spec.ownerRole);
    await exec(db, 'GRANT USAGE ON SCHEMA %I TO %I', SCHEMA, spec.appRole);
  } finally {
    await db.end();
  }
  return {
    ownerUrl: withCredentials(superuserUrl, spec.ownerRole, spec.ownerPassword, spec.database),
    appUrl: withCredentials(superuserUrl, spec.appRole, spec.appPassword, spec.database),
  };
}
