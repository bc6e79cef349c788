import { Client } from 'pg';
import { ensureBuilt } from '@tessera/testing/build';
import { spawnCli } from '@tessera/testing/cli-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';

/** The operator's CLI against the same database as a running server without Redis. */
describe('CLI › client create, token mint, token revoke reach a running server', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let env: Record<string, string>;
  // Asynchronous on purpose: the server under test runs in this process and must keep serving.
  const cli = (...args: string[]) => spawnCli(env, args);
  const me = (at: string) =>
    fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${at}` } });

  beforeAll(async () => {
    ensureBuilt();
    db = await createTestDatabase();
    app = await startTestApp(db, { ISSUER: 'http://tessera.test' });
    env = {
      PATH: process.env.PATH!,
      DATABASE_URL: db.appUrl,
      DATABASE_ADMIN_URL: db.ownerUrl,
      DATA_DIR: app.cfg.dataDir,
      ISSUER: 'http://tessera.test',
      LOG_LEVEL: 'silent',
    };
    // The tenant the later tests use; the first test makes its own.
    expect((await cli('tenant', 'create', 'acme', '--json')).code).toBe(0);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('every --json command prints exactly one JSON object; a minted token works; a revoke reaches the running server', async () => {
    expect((await cli('tenant', 'create', 'acme-1', '--json')).json()).toMatchObject({
      slug: 'acme-1',
    });
    const created = await cli(
      'client',
      'create',
      '--tenant',
      'acme-1',
      '--name',
      'billing',
      '--scopes',
      'read write',
      '--json',
    );
    expect(created.code).toBe(0);
    const { client_id, client_secret } = created.json();
    expect(client_secret).toMatch(/^tcs_[A-Za-z0-9_-]{43}$/);
    // The secret works against the running server at once.
    const cc = await postForm(
      `${app.url}/oauth/token`,
      { grant_type: 'client_credentials', scope: 'read' },
      { authorization: basic({ clientId: client_id, secret: client_secret }) },
    );
    expect(cc.status).toBe(200);

    const minted = await cli(
      'token',
      'mint',
      '--tenant',
      'acme-1',
      '--sub',
      'ops-bot',
      '--role',
      'admin',
      '--scopes',
      'read',
      '--ttl',
      '10m',
      '--json',
    );
    expect(minted.code).toBe(0);
    expect(minted.stdout.trim().split('\n')).toHaveLength(1);
    const { access_token, jti, expires_at } = minted.json();
    expect(jti).toMatch(/^tok_/);
    expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(9 * 60_000);
    const who = await me(access_token);
    expect(who.status).toBe(200);
    expect(await who.json()).toMatchObject({
      sub: 'ops-bot',
      role: 'admin',
      client_id: 'tessera-cli',
    });

    expect((await cli('token', 'revoke', jti, '--json')).json()).toMatchObject({
      jti,
      revoked: true,
    });
    // Polled under a generous deadline: how fast is for `npm run bench`, not for a test.
    const t0 = Date.now();
    while ((await me(access_token)).status !== 401) {
      if (Date.now() - t0 > 20_000)
        throw new Error('the running server still accepts the token 20 s after `token revoke`');
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('bad input: one line on stderr, non-zero exit, nothing on stdout', async () => {
    for (const args of [
      ['client', 'create', '--tenant', 'nope', '--name', 'x', '--json'],
      ['client', 'create', '--tenant', 'acme', '--name', 'x', '--grants', 'password', '--json'],
      ['token', 'mint', '--tenant', 'acme', '--sub', 's', '--ttl', '30d', '--json'],
      ['token', 'mint', '--tenant', 'acme', '--sub', 's', '--with-refresh', '--json'],
      ['token', 'revoke', 'not-a-jti', '--json'],
      ['token', 'revoke', 'tok_01jd0000000000000000000000', '--json'],
      ['keys', 'generate', '--bits', '1024', '--json'],
    ]) {
      const r = await cli(...args);
      // A refusal (usage or domain error) exits 2, not 1 (1 is for what was not foreseen).
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('client rotate-secret: the old secret stops, the new one works; disable stops both', async () => {
    const { client_id, client_secret } = (
      await cli('client', 'create', '--tenant', 'acme', '--name', 'rot', '--json')
    ).json();
    const rotated = (
      await cli('client', 'rotate-secret', client_id, '--tenant', 'acme', '--json')
    ).json();
    // The server has not seen this client before the rotation: it reads the new row.
    const tok = (secret: string) =>
      postForm(
        `${app.url}/oauth/token`,
        { grant_type: 'client_credentials' },
        { authorization: basic({ clientId: client_id, secret }) },
      );
    expect((await tok(rotated.client_secret!)).status).toBe(200);
    expect((await tok(client_secret)).status).toBe(401);
    expect((await cli('client', 'disable', client_id, '--tenant', 'acme', '--json')).code).toBe(0);
    // A running node caches client rows for a few seconds (README): the disable lands within
    // them; the deadline is generous for a busy machine, the loop ends as soon as it has.
    const t0 = Date.now();
    while ((await tok(rotated.client_secret!)).status !== 401) {
      if (Date.now() - t0 > 20_000)
        throw new Error('a disabled client still authenticates after 20 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const list = (await cli('client', 'list', '--tenant', 'acme', '--json')).json() as unknown as {
      clients: { client_id: string; status: string }[];
    };
    expect(list.clients.find((c) => c.client_id === client_id)?.status).toBe('disabled');
  });

  it('tenant disable: the running server refuses the tenant’s tokens at the guard', async () => {
    const slug = `off-${Math.random().toString(36).slice(2, 8)}`;
    expect((await cli('tenant', 'create', slug, '--json')).code).toBe(0);
    const { access_token } = (
      await cli('token', 'mint', '--tenant', slug, '--sub', 'ops', '--json')
    ).json();
    expect((await me(access_token!)).status).toBe(200);
    expect((await cli('tenant', 'disable', slug, '--json')).code).toBe(0);
    // Tenant status is cached for a few seconds (README); a generous deadline, not a latency.
    const t0 = Date.now();
    while ((await me(access_token!)).status !== 401) {
      if (Date.now() - t0 > 20_000) throw new Error('a disabled tenant’s token still works');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('denylist prune --json deletes only entries whose tokens have expired', async () => {
    const { jti } = (
      await cli('token', 'mint', '--tenant', 'acme', '--sub', 'prune-me', '--ttl', '10m', '--json')
    ).json();
    expect((await cli('token', 'revoke', jti!, '--json')).code).toBe(0);
    const pg = new Client({ connectionString: db.ownerUrl });
    await pg.connect();
    try {
      await pg.query(`SELECT set_config('app.cross_tenant', 'on', false)`);
      const { rows } = await pg.query<{ tenant_id: string }>(
        `SELECT tenant_id FROM tessera.token_denylist WHERE jti = $1`,
        [jti],
      );
      const expired = `tok_expired_${Math.random().toString(36).slice(2, 12)}`;
      await pg.query(
        `INSERT INTO tessera.token_denylist (jti, tenant_id, expires_at, reason)
         VALUES ($1, $2, now() - interval '2 days', 'test')`,
        [expired, rows[0]!.tenant_id],
      );
      const pruned = await cli('denylist', 'prune', '--json');
      expect({ code: pruned.code, stderr: pruned.stderr }).toEqual({ code: 0, stderr: '' });
      expect(pruned.stdout.trim().split('\n')).toHaveLength(1);
      const count = async (id: string) =>
        (await pg.query(`SELECT 1 FROM tessera.token_denylist WHERE jti = $1`, [id])).rowCount;
      expect(await count(expired)).toBe(0);
      expect(await count(jti!)).toBe(1);
    } finally {
      await pg.end();
    }
  });
});
