import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { repoRoot } from '@tessera/testing/build';
import { mintPairArgs, runCli, seedClientViaCli } from '@tessera/testing/cli-process';
import { startDurablePostgres, type DurablePostgres } from '@tessera/testing/durable-postgres';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { startRedisServer } from '@tessera/testing/redis-server';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

jest.setTimeout(180_000);

const ISSUER = 'https://tessera.example';

/** The built server run to its exit (a refusal): its code and what it printed. */
function serverExit(env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['dist/apps/auth/src/main.js'], {
      cwd: repoRoot,
      env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/**
 * Tessera as production runs it: NODE_ENV=production, rate limits on, an RS256-4096 key from
 * `keys generate`, migrations by the CLI (never at start), the app role on a Postgres with
 * fsync on (its own cluster: the suite's shared one runs with fsync off for speed).
 */
describe('NODE_ENV=production', () => {
  let pg: DurablePostgres;
  let db: TestDatabase;
  let keysDir: string;
  let node: ServerProcess;
  let prodEnv: Record<string, string | undefined>;
  let cliEnv: Record<string, string | undefined>;

  beforeAll(async () => {
    pg = await startDurablePostgres();
    db = await createTestDatabase({ superuserUrl: pg.superuserUrl, migrate: false });
    keysDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tessera-prod-')), 'keys');
    prodEnv = {
      NODE_ENV: 'production',
      ISSUER,
      DATABASE_URL: db.appUrl,
      DATABASE_ADMIN_URL: undefined,
      DEV_KEY_ALG: undefined,
      SIGNING_KEYS_DIR: keysDir,
      REDIS_URL: process.env.TEST_REDIS_URL,
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_TOKEN: '5',
    };
    cliEnv = { ...prodEnv, DATABASE_ADMIN_URL: db.ownerUrl };
    const [generated, migrated] = await Promise.all([
      runCli(cliEnv, 'keys', 'generate', '--alg', 'RS256', '--bits', '4096', '--out', keysDir),
      runCli(cliEnv, 'migrate', '--json'),
    ]);
    expect(generated.stderr).toBe('');
    expect(migrated.stderr).toBe('');
    node = await startServerProcess(db, { env: prodEnv });
  });
  afterAll(async () => {
    await node?.kill();
    await db?.drop();
    await pg?.stop();
  });

  it('the database is durable (fsync, synchronous_commit, full_page_writes on)', async () => {
    const c = new Client({ connectionString: db.appUrl });
    await c.connect();
    try {
      for (const setting of ['fsync', 'synchronous_commit', 'full_page_writes'])
        expect((await c.query(`SHOW ${setting}`)).rows[0]![setting]).toBe('on');
    } finally {
      await c.end();
    }
  });

  it('`keys generate` writes the private key mode 0600, the public one 0644, in a 0700 directory', () => {
    expect(statSync(keysDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(keysDir).sort();
    expect(files).toHaveLength(2);
    const [priv, pub] = [
      files.find((f) => !f.endsWith('.pub.pem'))!,
      files.find((f) => f.endsWith('.pub.pem'))!,
    ];
    expect(statSync(path.join(keysDir, priv)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(keysDir, pub)).mode & 0o777).toBe(0o644);
  });

  it('main flows: discovery, RS256-4096 JWKS, client_credentials, bearer, introspection, refresh, revocation, rate limit', async () => {
    const discovery = (await (
      await fetch(`${node.url}/.well-known/openid-configuration`)
    ).json()) as { issuer: string; jwks_uri: string };
    expect(discovery.issuer).toBe(ISSUER);
    const jwks = (await (await fetch(`${node.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(Buffer.from(jwks.keys[0]!.n!, 'base64url').length * 8).toBe(4096);
    expect(jwks.keys[0]).not.toHaveProperty('d');

    const a = await seedClientViaCli(cliEnv);
    const cc = () =>
      postForm(
        `${node.url}/oauth/token`,
        { grant_type: 'client_credentials' },
        { authorization: basic(a) },
      );
    const issued = await cc();
    expect(issued.status).toBe(200);
    const at = issued.json.access_token as string;
    expect(decodeProtectedHeader(at)).toMatchObject({
      alg: 'RS256',
      typ: 'at+jwt',
      kid: jwks.keys[0]!.kid,
    });
    const { payload } = await jwtVerify(at, createLocalJWKSet(jwks), {
      issuer: ISSUER,
      typ: 'at+jwt',
      algorithms: ['RS256'],
    });
    expect(payload).toMatchObject({ client_id: a.clientId, org: a.tenantId });

    const me = (token: string) =>
      fetch(`${node.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me(at)).status).toBe(200);
    const introspect = (token: string) =>
      postForm(`${node.url}/oauth/introspect`, { token }, { authorization: basic(a) });
    expect((await introspect(at)).json.active).toBe(true);

    const pair = (await runCli(cliEnv, ...mintPairArgs(a.slug, a.clientId, 'svc', '--json'))).json<{
      refresh_token: string;
    }>();
    const refreshed = await postForm(
      `${node.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: pair.refresh_token },
      { authorization: basic(a) },
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(pair.refresh_token);

    expect(
      (await postForm(`${node.url}/oauth/revoke`, { token: at }, { authorization: basic(a) }))
        .status,
    ).toBe(200);
    expect((await me(at)).status).toBe(401);
    expect((await introspect(at)).json.active).toBe(false);

    // RATE_LIMIT_TOKEN=5 per client: a fresh client gets five, then 429 with Retry-After.
    const b = await seedClientViaCli(cliEnv);
    const ccB = () =>
      postForm(
        `${node.url}/oauth/token`,
        { grant_type: 'client_credentials' },
        { authorization: basic(b) },
      );
    for (let i = 0; i < 5; i++) expect((await ccB()).status).toBe(200);
    const limited = await ccB();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.json.error).toBe('rate_limited');

    const ready = await fetch(`${node.url}/health/ready`);
    expect(ready.status).toBe(200);
  });

  it('no silent migrations: given the owner URL and an unmigrated database, the server migrates nothing at start', async () => {
    const empty = await createTestDatabase({ superuserUrl: pg.superuserUrl, migrate: false });
    const bare = await startServerProcess(empty, {
      env: { ...prodEnv, DATABASE_URL: empty.appUrl, DATABASE_ADMIN_URL: empty.ownerUrl },
      waitFor: 'none',
    });
    try {
      // Migrations would run before the listener opens: once it answers, or the process has
      // exited, whatever start does with the database is done.
      const deadline = Date.now() + 120_000;
      while (!bare.exited()) {
        const live = await fetch(`${bare.url}/health/live`).then(
          () => true,
          () => false,
        );
        if (live) break;
        if (Date.now() > deadline) throw new Error(`neither live nor exited:\n${bare.output()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const c = new Client({ connectionString: empty.ownerUrl });
      await c.connect();
      try {
        const r = await c.query(
          `SELECT to_regclass('tessera.tenants') AS tenants, to_regclass('tessera.migrations') AS m`,
        );
        expect(r.rows[0]).toEqual({ tenants: null, m: null });
      } finally {
        await c.end();
      }
    } finally {
      await bare.kill();
      await empty.drop();
    }
  });

  describe('refuses to start, with one line', () => {
    const refused = async (over: Record<string, string | undefined>, text: RegExp) => {
      const r = await serverExit({ PATH: process.env.PATH, ...prodEnv, PORT: '0', ...over });
      expect(r.code).not.toBe(0);
      expect(r.code).not.toBeNull();
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(text);
    };

    it('without ISSUER', () => refused({ ISSUER: undefined }, /ISSUER.*required in production/));

    it('with an http: OIDC_ISSUER_URL', () =>
      refused(
        {
          OIDC_ISSUER_URL: 'http://idp.example/application/o/tessera/',
          OIDC_CLIENT_ID: 'tessera',
          OIDC_CLIENT_SECRET: 'x',
          OIDC_REDIRECT_URI: `${ISSUER}/auth/callback`,
        },
        /OIDC_ISSUER_URL.*must be https in production/,
      ));

    it('with partial OIDC settings (an issuer and no client)', () =>
      refused(
        { OIDC_ISSUER_URL: 'https://idp.example/application/o/tessera/' },
        /OIDC_CLIENT_ID.*is required when any OIDC_\* variable is set/,
      ));

    it('with neither SIGNING_KEYS_DIR nor KEY_ENCRYPTION_SECRET (no development key)', () =>
      refused({ SIGNING_KEYS_DIR: undefined }, /SIGNING_KEYS_DIR|KEY_ENCRYPTION_SECRET/));

    it('with DATABASE_URL a superuser (row-level security would not bind it)', () => {
      const u = new URL(pg.superuserUrl);
      u.pathname = `/${db.name}`;
      return refused(
        { DATABASE_URL: u.toString() },
        /DATABASE_URL connects as role "postgres" .*superuser/,
      );
    });

    it('with a Redis that may evict keys (maxmemory-policy allkeys-lru)', async () => {
      const evicting = await startRedisServer({ maxmemoryPolicy: 'allkeys-lru' });
      try {
        await refused({ REDIS_URL: evicting.url }, /maxmemory-policy is "allkeys-lru".*noeviction/);
      } finally {
        await evicting.stop();
      }
    });
  });
});
