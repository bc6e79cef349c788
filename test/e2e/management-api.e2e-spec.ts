import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as Pg } from 'pg';
import { runCli, seedClientViaCli } from '@tessera/testing/cli-process';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { freePort } from '@tessera/testing/redis-server';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import {
  connectSuperuser,
  createTestDatabase,
  type TestDatabase,
} from '@tessera/testing/test-database';
import { clientCredentialsToken } from '../support/oauth';

/**
 * The management API on its own port, against a node in its own process and real Postgres:
 * a platform client provisions over HTTP; tenants stay apart; scopes, revocation, audit and
 * Idempotency-Key do what docs/management-api.md says.
 */
describe('management API (MANAGEMENT_PORT)', () => {
  let db: TestDatabase;
  let su: Pg;
  let node: ServerProcess;
  let mgmt: string;
  let env: Record<string, string>;
  let platform: { clientId: string; secret: string; token: string };

  const tokenFor = (c: { clientId: string; secret: string }, scope?: string) =>
    clientCredentialsToken(node.url, c, scope ? { scope } : {});

  const call = async (
    token: string | undefined,
    method: string,
    p: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${mgmt}${p}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      json: (text ? JSON.parse(text) : {}) as Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
    };
  };

  const expectProblem = (r: Awaited<ReturnType<typeof call>>, status: number, code: string) => {
    expect({ status: r.status, code: r.json.code }).toEqual({ status, code });
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.json.type).toBe(`tag:tessera,2026:problems/${code}`);
    expect(r.json.status).toBe(status);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    su = await connectSuperuser(db);
    const [port, mport] = [await freePort(), await freePort()];
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-mgmt-'));
    const issuer = `http://127.0.0.1:${port}`;
    env = {
      DATABASE_URL: db.appUrl,
      DATABASE_ADMIN_URL: db.ownerUrl,
      DATA_DIR: dataDir,
      ISSUER: issuer,
      // The database key store, so the keys resource has keys to manage.
      KEY_ENCRYPTION_SECRET: 'management-api-e2e-key-encryption-secret-0123456789',
    };
    node = await startServerProcess(db, {
      port,
      env: { ...env, MANAGEMENT_PORT: String(mport), MANAGEMENT_HOST: '127.0.0.1' },
    });
    mgmt = `http://127.0.0.1:${mport}`;
    const created = await runCli(env, 'admin', 'client', 'create', '--name', 'saas', '--json');
    expect(created.code).toBe(0);
    const c = created.json<{ client_id: string; client_secret: string; scopes: string[] }>();
    expect(c.scopes).toEqual(['tessera:platform']);
    const creds = { clientId: c.client_id, secret: c.client_secret };
    platform = { ...creds, token: await tokenFor(creds) };
  });
  afterAll(async () => {
    await node?.stop();
    await su?.end();
    await db?.drop();
  });

  it('a platform client creates a tenant and a client over HTTP, and that client gets a token at /oauth/token', async () => {
    const t = await call(platform.token, 'POST', '/api/v1/tenants', { slug: 'acme', name: 'Acme' });
    expect(t.status).toBe(201);
    expect(t.json).toMatchObject({ slug: 'acme', name: 'Acme', status: 'active' });
    expect(t.json.id).toMatch(/^org_[0-9a-z]{26}$/);

    const c = await call(platform.token, 'POST', `/api/v1/tenants/${t.json.id}/clients`, {
      name: 'billing',
      scopes: ['invoices:read'],
    });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({ tenant_id: t.json.id, scopes: ['invoices:read'] });
    expect(c.json.client_secret).toMatch(/^tcs_/);
    const token = await postForm(
      `${node.url}/oauth/token`,
      { grant_type: 'client_credentials', scope: 'invoices:read' },
      { authorization: basic({ clientId: c.json.id, secret: c.json.client_secret }) },
    );
    expect(token.status).toBe(200);

    const listed = await call(platform.token, 'GET', `/api/v1/tenants/${t.json.id}/clients`);
    expect(listed.json.items.map((x: { id: string }) => x.id)).toEqual([c.json.id]);
    expect(JSON.stringify(listed.json)).not.toContain('secret');
  });

  it('a retried create with the same Idempotency-Key returns the first result and makes one row', async () => {
    const key = { 'idempotency-key': 'signup-42' };
    const first = await call(platform.token, 'POST', '/api/v1/tenants', { slug: 'once' }, key);
    const again = await call(platform.token, 'POST', '/api/v1/tenants', { slug: 'once' }, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await call(platform.token, 'POST', '/api/v1/tenants', { slug: 'twice' }, key);
    expectProblem(other, 409, 'conflict');

    const tenantId = first.json.id as string;
    const clientKey = { 'idempotency-key': 'client-1' };
    const body = { name: 'retry me' };
    const c1 = await call(
      platform.token,
      'POST',
      `/api/v1/tenants/${tenantId}/clients`,
      body,
      clientKey,
    );
    const c2 = await call(
      platform.token,
      'POST',
      `/api/v1/tenants/${tenantId}/clients`,
      body,
      clientKey,
    );
    expect(c2.json.id).toBe(c1.json.id);
    // The secret is shown once: a replay returns the client without it.
    expect(c1.json.client_secret).toMatch(/^tcs_/);
    expect(c2.json.client_secret).toBeUndefined();
    const rows = await su.query(
      `SELECT (SELECT count(*)::int FROM tessera.tenants WHERE slug = 'once') AS tenants,
              (SELECT count(*)::int FROM tessera.clients WHERE tenant_id = $1) AS clients`,
      [tenantId],
    );
    expect(rows.rows[0]).toEqual({ tenants: 1, clients: 1 });

    // Five at once with one key: one creates, the rest get its answer or 409 (still running).
    const burstKey = { 'idempotency-key': 'burst-1' };
    const burst = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(
          platform.token,
          'POST',
          `/api/v1/tenants/${tenantId}/clients`,
          { name: 'burst' },
          burstKey,
        ),
      ),
    );
    const created = burst.filter((r) => r.status === 201);
    expect(burst.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(new Set(created.map((r) => r.json.id)).size).toBe(1);
    const burstRows = await su.query(
      `SELECT count(*)::int AS n FROM tessera.clients WHERE tenant_id = $1 AND name = 'burst'`,
      [tenantId],
    );
    expect(burstRows.rows[0]).toEqual({ n: 1 });
  });

  it("tenant A's manage token cannot read or change tenant B (404); without the scope 403 insufficient_scope", async () => {
    const a = await seedClientViaCli(env, { scopes: ['tessera:manage', 'read'] });
    const b = await seedClientViaCli(env, { scopes: ['tessera:manage'] });
    const adminA = await tokenFor(a, 'tessera:manage');

    expect((await call(adminA, 'GET', `/api/v1/tenants/${a.tenantId}/clients`)).status).toBe(200);
    expectProblem(await call(adminA, 'GET', `/api/v1/tenants/${b.tenantId}`), 404, 'not_found');
    expectProblem(
      await call(adminA, 'GET', `/api/v1/tenants/${b.tenantId}/clients`),
      404,
      'not_found',
    );
    expectProblem(
      await call(adminA, 'GET', `/api/v1/tenants/${b.tenantId}/clients/${b.clientId}`),
      404,
      'not_found',
    );
    expectProblem(
      await call(adminA, 'POST', `/api/v1/tenants/${b.tenantId}/clients/${b.clientId}/disable`),
      404,
      'not_found',
    );
    expectProblem(
      await call(adminA, 'POST', `/api/v1/tenants/${b.tenantId}/clients`, { name: 'x' }),
      404,
      'not_found',
    );
    // B's client still works: nothing was changed.
    await tokenFor(b);
    // A tenant lists only itself and may not create or disable tenants.
    const own = await call(adminA, 'GET', '/api/v1/tenants');
    expect(own.json.items.map((t: { id: string }) => t.id)).toEqual([a.tenantId]);
    const made = await call(adminA, 'POST', '/api/v1/tenants', { slug: 'nope' });
    expectProblem(made, 403, 'insufficient_scope');
    expect(made.headers.get('www-authenticate')).toContain('scope="tessera:platform"');
    // A tenant cannot give itself the platform scope.
    expectProblem(
      await call(adminA, 'POST', `/api/v1/tenants/${a.tenantId}/clients`, {
        name: 'escalate',
        scopes: ['tessera:platform'],
      }),
      400,
      'invalid_scope',
    );

    const readOnly = await tokenFor(a, 'read');
    const denied = await call(readOnly, 'GET', `/api/v1/tenants/${a.tenantId}/clients`);
    expectProblem(denied, 403, 'insufficient_scope');
    expect(denied.headers.get('www-authenticate')).toContain('scope="tessera:manage"');
    expectProblem(await call(undefined, 'GET', '/api/v1/tenants'), 401, 'invalid_token');
    expectProblem(await call('not.a.jwt', 'GET', '/api/v1/tenants'), 401, 'invalid_token');
  });

  it('an admin token minted for the tenant works until it is revoked, then it is refused', async () => {
    const a = await seedClientViaCli(env);
    const minted = await runCli(
      env,
      'token',
      'mint',
      '--tenant',
      a.slug,
      '--sub',
      'user_01admin',
      '--role',
      'admin',
      '--scopes',
      'tessera:manage',
      '--json',
    );
    expect(minted.code).toBe(0);
    const { access_token: token, jti } = minted.json<{ access_token: string; jti: string }>();
    expect((await call(token, 'GET', `/api/v1/tenants/${a.tenantId}`)).status).toBe(200);

    const revoked = await call(
      platform.token,
      'DELETE',
      `/api/v1/tenants/${a.tenantId}/tokens/${jti}`,
    );
    expect(revoked.status).toBe(204);
    const after = await call(token, 'GET', `/api/v1/tenants/${a.tenantId}`);
    expectProblem(after, 401, 'invalid_token');
    expect(after.json.detail).toMatch(/revoked/);
    const record = await call(platform.token, 'GET', `/api/v1/tenants/${a.tenantId}/tokens/${jti}`);
    expect(record.json.revoked_at).not.toBeNull();

    // Every token of a client at once (RevokeAllTokens, as the CLI's token revoke --client).
    const t1 = await tokenFor(a);
    expect(
      (await postForm(`${node.url}/oauth/introspect`, { token: t1 }, { authorization: basic(a) }))
        .json.active,
    ).toBe(true);
    const all = await call(platform.token, 'POST', `/api/v1/tenants/${a.tenantId}/tokens/revoke`, {
      client_id: a.clientId,
    });
    expect(all.status).toBe(200);
    expect(all.json.access_tokens_denied).toBeGreaterThanOrEqual(1);
    expect(
      (await postForm(`${node.url}/oauth/introspect`, { token: t1 }, { authorization: basic(a) }))
        .json.active,
    ).toBe(false);
    expectProblem(
      await call(platform.token, 'POST', `/api/v1/tenants/${a.tenantId}/tokens/revoke`, {}),
      400,
      'invalid_request',
    );
  });

  it('PATCH changes a client’s scopes and grants; the next token request sees them', async () => {
    const t = await call(platform.token, 'POST', '/api/v1/tenants', { slug: 'patchy' });
    const c = await call(platform.token, 'POST', `/api/v1/tenants/${t.json.id}/clients`, {
      name: 'svc',
      scopes: ['a'],
    });
    const creds = { clientId: c.json.id as string, secret: c.json.client_secret as string };
    const asked = (scope: string) =>
      postForm(
        `${node.url}/oauth/token`,
        { grant_type: 'client_credentials', scope },
        { authorization: basic(creds) },
      );
    expect((await asked('b')).json.error).toBe('invalid_scope');
    const patched = await call(
      platform.token,
      'PATCH',
      `/api/v1/tenants/${t.json.id}/clients/${creds.clientId}`,
      {
        scopes: ['a', 'b'],
        grants: ['client_credentials', 'refresh_token'],
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      scopes: ['a', 'b'],
      grants: ['client_credentials', 'refresh_token'],
    });
    expect((await asked('b')).status).toBe(200);
    expectProblem(
      await call(
        platform.token,
        'PATCH',
        `/api/v1/tenants/${t.json.id}/clients/${creds.clientId}`,
        {
          scopes: ['tessera:platform'],
        },
      ),
      400,
      'invalid_scope',
    );
    expectProblem(
      await call(
        platform.token,
        'PATCH',
        `/api/v1/tenants/${t.json.id}/clients/${creds.clientId}`,
        {
          grants: ['password'],
        },
      ),
      400,
      'invalid_request',
    );
  });

  it('every write is in the audit log with its actor', async () => {
    const t = await call(platform.token, 'POST', '/api/v1/tenants', { slug: 'audited' });
    const tid = t.json.id as string;
    const c = await call(platform.token, 'POST', `/api/v1/tenants/${tid}/clients`, { name: 'c1' });
    await call(platform.token, 'POST', `/api/v1/tenants/${tid}/clients/${c.json.id}/rotate-secret`);
    await call(platform.token, 'POST', `/api/v1/tenants/${tid}/clients/${c.json.id}/disable`);
    const events = await call(platform.token, 'GET', `/api/v1/tenants/${tid}/audit-events`);
    expect(events.status).toBe(200);
    const seen = (events.json.items as { action: string; actor: string; target: string }[])
      .map((e) => [e.action, e.actor, e.target])
      .reverse();
    expect(seen).toEqual([
      ['tenant.create', platform.clientId, tid],
      ['client.create', platform.clientId, c.json.id],
      ['client.rotate_secret', platform.clientId, c.json.id],
      ['client.disable', platform.clientId, c.json.id],
    ]);
    const filtered = await call(
      platform.token,
      'GET',
      `/api/v1/tenants/${tid}/audit-events?action=client.disable&actor=${platform.clientId}`,
    );
    expect(filtered.json.items).toHaveLength(1);
    // Pages of one: the cursor walks the same four events.
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const page = await call(
        platform.token,
        'GET',
        `/api/v1/tenants/${tid}/audit-events?limit=1${q}`,
      );
      walked.push(...page.json.items.map((e: { action: string }) => e.action));
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(walked.reverse()).toEqual(seen.map((s) => s[0]));
    expectProblem(
      await call(platform.token, 'GET', `/api/v1/tenants/${tid}/audit-events?cursor=garbage`),
      400,
      'invalid_request',
    );
  });

  it('the platform lists, rotates and retires signing keys; a tenant cannot', async () => {
    const listed = await call(platform.token, 'GET', '/api/v1/keys');
    expect(listed.status).toBe(200);
    const active = listed.json.items.filter((k: { status: string }) => k.status === 'active');
    expect(active).toHaveLength(1);
    const rotated = await call(platform.token, 'POST', '/api/v1/keys/rotate', { alg: 'ES256' });
    expect(rotated.status).toBe(201);
    expect(rotated.json).toMatchObject({ alg: 'ES256', status: 'staged' });
    const retired = await call(platform.token, 'POST', `/api/v1/keys/${rotated.json.kid}/retire`);
    expect(retired.json).toMatchObject({ kid: rotated.json.kid, status: 'retired' });
    expectProblem(
      await call(platform.token, 'POST', `/api/v1/keys/${active[0].kid}/retire`),
      409,
      'conflict',
    );
    expectProblem(
      await call(platform.token, 'POST', '/api/v1/keys/rotate', { alg: 'HS256' }),
      400,
      'invalid_request',
    );
    const a = await seedClientViaCli(env, { scopes: ['tessera:manage'] });
    expectProblem(await call(await tokenFor(a), 'GET', '/api/v1/keys'), 403, 'insufficient_scope');
  });

  it('each port serves only its own routes', async () => {
    expect((await fetch(`${node.url}/_management/api/v1/tenants`)).status).toBe(404);
    expect((await fetch(`${node.url}/_MANAGEMENT/api/v1/tenants`)).status).toBe(404);
    expect((await fetch(`${node.url}/%5Fmanagement/api/v1/tenants`)).status).toBe(404);
    expect((await fetch(`${node.url}/api/v1/tenants`)).status).toBe(404);
    const onMgmt = await call(undefined, 'POST', '/oauth/token', {});
    expectProblem(onMgmt, 404, 'not_found');
    expect((await fetch(`${mgmt}/.well-known/jwks.json`)).status).toBe(404);
    expect((await fetch(`${mgmt}/docs/openapi.json`)).status).toBe(200);
    const publicDoc = (await (await fetch(`${node.url}/docs/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(publicDoc.paths).filter((p) => /management|tenants/.test(p))).toEqual([]);
  });
});
