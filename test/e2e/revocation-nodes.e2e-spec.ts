import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startRedisServer, type TestRedisServer } from '@tessera/testing/redis-server';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { cliEnvFor, mintPairArgs, runCli, seedClientViaCli } from '@tessera/testing/cli-process';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { clientCredentialsToken } from '../support/oauth';
import { until } from '@tessera/testing/poll';

/** Polls until `ok` holds; the timeout is generous (a loaded machine), never a latency target. */
const waitFor = (what: string, ok: () => Promise<boolean>, timeoutMs = 20_000) =>
  until(what, ok, { timeoutMs, everyMs: 20 });

/**
 * Three nodes, each its own process, over one Postgres and one Redis of this test's own (so it
 * can be stopped). Nodes 1 and 2 resync only every 300 s: what reaches node 2 within the test's
 * timeouts got there by the broadcast. Node 3 resyncs every second.
 */
describe('revocation by jti › every node (separate processes)', () => {
  let db: TestDatabase;
  let redis: TestRedisServer;
  let node1: ServerProcess;
  let node2: ServerProcess;
  let node3: ServerProcess;
  let cliEnv: Record<string, string | undefined>;
  let a: Awaited<ReturnType<typeof seedClientViaCli>>;
  const me = (node: ServerProcess, at: string) =>
    fetch(`${node.url}/api/v1/me`, { headers: { authorization: `Bearer ${at}` } }).then(
      (r) => r.status,
    );
  const cc = (node: ServerProcess) => clientCredentialsToken(node.url, a);
  const revoke = (node: ServerProcess, token: string) =>
    postForm(`${node.url}/oauth/revoke`, { token }, { authorization: basic(a) });
  const refresh = (node: ServerProcess, rt: string) =>
    postForm(
      `${node.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: rt },
      { authorization: basic(a) },
    );
  const mintPair = async () => {
    const r = await runCli(cliEnv, ...mintPairArgs(a.slug, a.clientId, 'u', '--json'));
    expect(r.stderr).toBe('');
    return r.json<{ access_token: string; refresh_token: string }>();
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startRedisServer();
    const env = { REDIS_URL: redis.url, ISSUER: 'http://tessera.test' };
    node1 = await startServerProcess(db, { env: { ...env, DENYLIST_SYNC_INTERVAL: '300s' } });
    // One signing key for all: the others use node 1's data dir (its development key).
    const shared = { ...env, DATA_DIR: node1.dataDir };
    [node2, node3] = await Promise.all([
      startServerProcess(db, { env: { ...shared, DENYLIST_SYNC_INTERVAL: '300s' } }),
      startServerProcess(db, { env: { ...shared, DENYLIST_SYNC_INTERVAL: '1s' } }),
    ]);
    cliEnv = cliEnvFor(db, node1, env);
    a = await seedClientViaCli(cliEnv);
  });
  afterAll(async () => {
    for (const n of [node1, node2, node3]) await n?.kill();
    await redis?.stop();
    await db?.drop();
  });

  it('a token revoked on node 1 is rejected by node 2, by broadcast (the resync is 300 s away)', async () => {
    expect(new Set([node1.pid, node2.pid, node3.pid]).size).toBe(3);
    for (let i = 0; i < 10; i++) {
      const at = await cc(node1);
      expect(await me(node2, at)).toBe(200);
      expect((await revoke(node1, at)).status).toBe(200);
      await waitFor(
        'node 2 to reject the revoked token',
        async () => (await me(node2, at)) === 401,
      );
    }
  });

  it('Redis down: no 500s, revocations still land, nothing is resurrected after it returns', async () => {
    const pair = await mintPair();
    const family = await mintPair();
    expect((await revoke(node1, family.refresh_token)).status).toBe(200);
    const revokedBefore = await cc(node1);
    await revoke(node1, revokedBefore);
    const live = await cc(node1);

    await redis.stop();
    // Verification needs no Redis; the denylist replica still denies.
    expect(await me(node2, live)).toBe(200);
    expect(await me(node2, revokedBefore)).toBe(401);
    // Refresh tokens live in Redis: the grant says so with a 503, not a 500.
    const down = await refresh(node1, pair.refresh_token);
    expect({ status: down.status, error: down.json.error }).toEqual({
      status: 503,
      error: 'temporarily_unavailable',
    });
    // client_credentials needs no Redis.
    await cc(node1);
    // A revocation while Redis is down is written to Postgres: node 3 learns it by its resync;
    // node 2 (resync 300 s away, no broadcast) does not yet.
    expect((await revoke(node1, live)).status).toBe(200);
    expect(await me(node1, live)).toBe(401);
    await waitFor(
      'node 3 to learn the revocation by resync',
      async () => (await me(node3, live)) === 401,
    );
    expect(await me(node2, live)).toBe(200);

    await redis.start(); // blank: the restarted Redis has lost every refresh token
    // Node 2 resyncs as soon as it has reconnected.
    await waitFor(
      'node 2 to resync after the reconnect',
      async () => (await me(node2, live)) === 401,
    );
    for (const node of [node1, node2, node3]) {
      expect(await me(node, revokedBefore)).toBe(401);
      expect(await me(node, live)).toBe(401);
    }
    // The family revoked before the outage stays revoked, though Redis lost its marker.
    let after = await refresh(node2, family.refresh_token);
    await waitFor('node 2 to reach Redis again', async () => {
      after = await refresh(node2, family.refresh_token);
      return after.status !== 503;
    });
    expect({ status: after.status, error: after.json.error }).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect(after.json.access_token).toBeUndefined();
    // And a revocation after the return propagates by broadcast again.
    const fresh = await cc(node1);
    await revoke(node1, fresh);
    await waitFor('propagation to resume', async () => (await me(node2, fresh)) === 401);
  });

  it('a node SIGKILLed mid-traffic: the others keep serving and denying; a restarted node loads every denial', async () => {
    const revoked = await cc(node1);
    expect((await revoke(node1, revoked)).status).toBe(200);
    await waitFor('node 2 to deny', async () => (await me(node2, revoked)) === 401);
    const inflight = Array.from({ length: 5 }, () => me(node2, revoked).catch(() => 0));
    expect(await node2.kill('SIGKILL')).toBeNull();
    await Promise.all(inflight);
    expect(await me(node1, revoked)).toBe(401);
    expect(await me(node3, revoked)).toBe(401);
    node2 = await startServerProcess(db, { env: node2.env });
    expect(await me(node2, revoked)).toBe(401);
  });
});
