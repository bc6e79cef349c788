import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { cliEnvFor, mintPairArgs, runCli, seedClientViaCli } from '@tessera/testing/cli-process';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { startRedisServer, type TestRedisServer } from '@tessera/testing/redis-server';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { startTcpProxy, type TcpProxy } from '@tessera/testing/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { until } from '@tessera/testing/poll';
import { jwksKids } from '../support/oauth';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A request that must answer: a hang fails the test after a generous 20 s, not a latency. */
const answered = { signal: () => AbortSignal.timeout(20_000) };

const waitFor = (what: string, ok: () => Promise<boolean>, timeoutMs = 30_000) =>
  until(what, ok, { timeoutMs, everyMs: 100 });

type Health = { status: string; details: Record<string, { status: string; kid?: string }> };

/**
 * One node (its own process) whose dependencies misbehave: Redis paused (SIGSTOP: alive, port
 * open, never answering), Postgres unreachable for a moment (a proxy that drops every
 * connection), and a key reload that fails. Each degrades to a clear answer and recovers.
 */
describe('degraded dependencies', () => {
  let db: TestDatabase;
  let redis: TestRedisServer;
  let proxy: TcpProxy;
  let node: ServerProcess;
  let cliEnv: Record<string, string | undefined>;
  let a: Awaited<ReturnType<typeof seedClientViaCli>>;
  const secret = randomBytes(32).toString('base64url');

  const ready = async () => {
    const r = await fetch(`${node.url}/health/ready`, { signal: answered.signal() });
    return { status: r.status, body: (await r.json()) as Health };
  };
  const cc = () =>
    fetch(`${node.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: basic(a),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
      signal: answered.signal(),
    });
  const kids = () => jwksKids(node.url);
  const owner = async <T>(fn: (c: Client) => Promise<T>) => {
    const c = new Client({ connectionString: db.ownerUrl });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startRedisServer();
    proxy = await startTcpProxy(Number(new URL(db.appUrl).port));
    const env = {
      REDIS_URL: redis.url,
      ISSUER: 'http://tessera.test',
      KEY_ENCRYPTION_SECRET: secret,
      KEY_RELOAD_INTERVAL: '200ms',
      KEY_PUBLISH_DELAY: '1h',
    };
    node = await startServerProcess(db, {
      env: { ...env, DATABASE_URL: proxy.via(db.appUrl) },
    });
    cliEnv = cliEnvFor(db, node, env);
    a = await seedClientViaCli(cliEnv);
  });
  afterAll(async () => {
    redis?.resume();
    proxy?.restore();
    await node?.kill();
    await proxy?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('Redis hung (SIGSTOP): refresh answers 503 temporarily_unavailable, not a hang or a 500; /health/ready says redis is down; all recovers', async () => {
    const pair = (await runCli(cliEnv, ...mintPairArgs(a.slug, a.clientId, 'u', '--json'))).json<{
      refresh_token: string;
      access_token: string;
    }>();
    const refresh = () =>
      postForm(
        `${node.url}/oauth/token`,
        { grant_type: 'refresh_token', refresh_token: pair.refresh_token },
        { authorization: basic(a) },
      );
    expect((await ready()).status).toBe(200);
    redis.pause();
    try {
      const r = await Promise.race([refresh(), sleep(20_000).then(() => 'hung' as const)]);
      expect(r).not.toBe('hung');
      if (r === 'hung') return;
      expect({ status: r.status, error: r.json.error }).toEqual({
        status: 503,
        error: 'temporarily_unavailable',
      });
      // Verification needs no Redis.
      const me = await fetch(`${node.url}/api/v1/me`, {
        headers: { authorization: `Bearer ${pair.access_token}` },
        signal: answered.signal(),
      });
      expect(me.status).toBe(200);
      const health = await ready();
      expect(health.status).toBe(503);
      expect(health.body.details.redis?.status).toBe('down');
      expect(health.body.details.database?.status).toBe('up');
    } finally {
      redis.resume();
    }
    await waitFor('ready again', async () => (await ready()).status === 200);
    expect((await refresh()).status).toBe(200);
  });

  it('Postgres unreachable for a moment: token requests answer 503, /health/ready says database is down; all recovers', async () => {
    expect((await cc()).status).toBe(200);
    proxy.cut();
    try {
      const r = await cc();
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: string }).error).toBe('temporarily_unavailable');
      const health = await ready();
      expect(health.status).toBe(503);
      expect(health.body.details.database?.status).toBe('down');
    } finally {
      proxy.restore();
    }
    await waitFor('ready again', async () => (await ready()).status === 200);
    await waitFor('tokens again', async () => (await cc()).status === 200);
  });

  it('a failed key reload keeps the last good key set (still signs, still ready); the next good reload is taken', async () => {
    const warning = 'signing keys not reloaded, keeping the last good set';
    const warnings = () => node.output().split(warning).length - 1;
    const [A] = await kids();
    const staged = (await runCli(cliEnv, 'keys', 'rotate', '--alg', 'ES256', '--json')).json();
    await waitFor('the staged key to be published', async () =>
      (await kids()).includes(staged.kid!),
    );
    const good = [A!, staged.kid!].sort();
    const seen = warnings();
    // The staged row altered so the node cannot open it (as a tampered row or a wrong secret).
    const original = await owner(async (c) => {
      const { rows } = await c.query<{ enc: Buffer }>(
        `SELECT private_key_enc AS enc FROM tessera.signing_keys WHERE kid = $1`,
        [staged.kid],
      );
      await c.query(`UPDATE tessera.signing_keys SET private_key_enc = $2 WHERE kid = $1`, [
        staged.kid,
        randomBytes(rows[0]!.enc.length),
      ]);
      return rows[0]!.enc;
    });
    try {
      await waitFor('a reload to fail', async () => warnings() > seen);
      expect(await kids()).toEqual(good);
      expect((await cc()).status).toBe(200);
      const health = await ready();
      expect(health.status).toBe(200);
      expect(health.body.details.signing_key).toMatchObject({ status: 'up', kid: A });
    } finally {
      await owner((c) =>
        c.query(`UPDATE tessera.signing_keys SET private_key_enc = $2 WHERE kid = $1`, [
          staged.kid,
          original,
        ]),
      );
    }
    // Reloads work again: retiring the staged key takes it out of the JWKS.
    expect((await runCli(cliEnv, 'keys', 'retire', staged.kid!, '--json')).code).toBe(0);
    await waitFor('the retired key to leave the JWKS', async () => (await kids()).join() === A);
  });
});
