import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { newId } from '@tessera/domain/shared/ids';
import { runCli, seedClientViaCli } from '@tessera/testing/cli-process';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import {
  connectSuperuser,
  createTestDatabase,
  type TestDatabase,
} from '@tessera/testing/test-database';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Stats {
  tenant: string | null;
  rows: number;
  live: number;
  revoked: number;
  expired: number;
  prunable: number;
  by_kind: { access: number; refresh: number };
  retention_seconds: number;
  table_bytes: number;
}

describe('token records › CLI and the nodes’ own pruning', () => {
  let db: TestDatabase;
  let su: Client;
  let env: Record<string, string>;
  let node: ServerProcess | undefined;

  /** Records that expired `ago` seconds before the database's now (as superuser: no RLS). */
  const insertExpired = async (tenantId: string, n: number, ago: number) => {
    const jtis = Array.from({ length: n }, () => newId('token'));
    await su.query(
      `INSERT INTO tessera.api_tokens (jti, tenant_id, kind, subject, client_id, created_via, created_at, expires_at)
       SELECT j, $2, 'access', 's', 'c', 'cli', now() - make_interval(secs => $3 + 900), now() - make_interval(secs => $3)
         FROM unnest($1::text[]) AS j`,
      [jtis, tenantId, ago],
    );
    return jtis;
  };
  const remaining = async (jtis: string[]) =>
    (
      await su.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM tessera.api_tokens WHERE jti = ANY($1)',
        [jtis],
      )
    ).rows[0]!.n;

  beforeAll(async () => {
    db = await createTestDatabase();
    su = await connectSuperuser(db);
    env = {
      DATABASE_URL: db.appUrl,
      DATABASE_ADMIN_URL: db.ownerUrl,
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'tessera-cli-')),
      TOKEN_RECORD_RETENTION: '1h',
    };
  });
  afterAll(async () => {
    await node?.kill();
    await su?.end();
    await db?.drop();
  });

  it('token stats counts a tenant’s records by state; token prune removes those past expiry plus retention, and again finds nothing', async () => {
    const { slug, tenantId } = await seedClientViaCli(env);
    for (let i = 0; i < 2; i++) {
      const minted = await runCli(env, 'token', 'mint', '--tenant', slug, '--sub', 'svc', '--json');
      expect(minted.code).toBe(0);
    }
    const old = await insertExpired(tenantId, 5, 7200);
    const recent = await insertExpired(tenantId, 1, 60);

    const stats = await runCli(env, 'token', 'stats', '--tenant', slug, '--json');
    expect(stats.code).toBe(0);
    expect(stats.stdout.trim().split('\n')).toHaveLength(1);
    expect(stats.json<Stats>()).toMatchObject({
      tenant: slug,
      rows: 8,
      live: 2,
      revoked: 0,
      expired: 6,
      prunable: 5,
      by_kind: { access: 8, refresh: 0 },
      retention_seconds: 3600,
    });
    expect(stats.json<Stats>().table_bytes).toBeGreaterThan(0);

    const pruned = await runCli(env, 'token', 'prune', '--json');
    expect(pruned.code).toBe(0);
    expect(pruned.json<{ pruned: number }>().pruned).toBe(5);
    expect(await remaining(old)).toBe(0);
    expect(await remaining(recent)).toBe(1);
    expect((await runCli(env, 'token', 'prune', '--json')).json<{ pruned: number }>().pruned).toBe(
      0,
    );
    const all = await runCli(env, 'token', 'stats', '--json');
    expect(all.json<Stats>()).toMatchObject({ tenant: null, rows: 3, prunable: 0 });
  });

  it('token stats with an unknown tenant is one line on stderr and a non-zero exit', async () => {
    const r = await runCli(env, 'token', 'stats', '--tenant', 'no-such-tenant', '--json');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown tenant/);
  });

  it('a running node prunes by itself every TOKEN_PRUNE_INTERVAL; its fresh tokens stay', async () => {
    node = await startServerProcess(db, {
      env: { TOKEN_PRUNE_INTERVAL: '200ms', TOKEN_RECORD_RETENTION: '30s' },
    });
    const client = await seedClientViaCli({ ...env, DATA_DIR: node.dataDir });
    const issued = await postForm(
      `${node.url}/oauth/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(client) },
    );
    expect(issued.status).toBe(200);
    const old = await insertExpired(client.tenantId, 50, 120);
    for (let i = 0; (await remaining(old)) > 0 && i < 300; i++) await sleep(100);
    expect(await remaining(old)).toBe(0);
    const live = await su.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tessera.api_tokens WHERE tenant_id = $1 AND expires_at > now()`,
      [client.tenantId],
    );
    expect(live.rows[0]!.n).toBe(1);
  });
});
