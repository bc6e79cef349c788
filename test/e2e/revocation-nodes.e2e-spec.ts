import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';
import { startRedisServer, type TestRedisServer } from '@tessera/testing/redis-server';
import { basic, postForm, seedClient, type TestClient } from '@tessera/testing/oauth-fixtures';
import { DI } from '@tessera/application/di-tokens';
import type { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';

const me = (app: RunningApp, at: string) =>
  fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${at}` } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two nodes over one Postgres and one Redis of this test's own (so it can be stopped). */
describe('revocation by jti › every node', () => {
  let db: TestDatabase;
  let redis: TestRedisServer;
  let node1: RunningApp;
  let node2: RunningApp;
  let a: TestClient;
  const cc = async (node: RunningApp) =>
    (
      await postForm(
        `${node.url}/oauth/token`,
        { grant_type: 'client_credentials' },
        { authorization: basic(a) },
      )
    ).json.access_token as string;
  const revoke = (node: RunningApp, token: string) =>
    postForm(`${node.url}/oauth/revoke`, { token }, { authorization: basic(a) });

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startRedisServer();
    // A long resync interval: what reaches node 2 quickly got there by the broadcast.
    const env = {
      REDIS_URL: redis.url,
      DENYLIST_SYNC_INTERVAL: '2s',
      ISSUER: 'http://tessera.test',
    };
    node1 = await startTestApp(db, env);
    node2 = await startTestApp(db, { ...env, DATA_DIR: node1.cfg.dataDir });
    a = await seedClient(node1);
  });
  afterAll(async () => {
    await node1?.close();
    await node2?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('a token revoked on node 1 is rejected by node 2 (propagation measured)', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 20; i++) {
      const at = await cc(node1);
      expect((await me(node2, at)).status).toBe(200);
      expect((await revoke(node1, at)).status).toBe(200);
      const t0 = performance.now();
      while ((await me(node2, at)).status !== 401) {
        if (performance.now() - t0 > 1500)
          throw new Error('node 2 still accepts a revoked token after 1.5 s');
        await sleep(2);
      }
      delays.push(performance.now() - t0);
    }
    delays.sort((x, y) => x - y);
    console.log(
      `revocation node1→node2 over Redis pub/sub: p50 ${delays[10]!.toFixed(1)} ms, max ${delays[19]!.toFixed(1)} ms (n=20)`,
    );
  });

  it('Redis down: no 500s, revocations still land, nothing is resurrected after it returns', async () => {
    const issue = node1.app.get<IssueTokenUseCase>(DI.IssueToken);
    const pair = await issue.execute({
      tenantId: a.tenantId,
      subject: 'u',
      clientId: a.clientId,
      scopes: ['read'],
      grant: 'cli',
      withRefresh: true,
    });
    const revokedBefore = await cc(node1);
    await revoke(node1, revokedBefore);
    const live = await cc(node1);

    await redis.stop();
    // Verification needs no Redis; the denylist replica still denies.
    expect((await me(node2, live)).status).toBe(200);
    expect((await me(node2, revokedBefore)).status).toBe(401);
    // Refresh tokens live in Redis: the grant says so with a 503, not a 500.
    const refresh = await postForm(
      `${node1.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: pair.refresh_token! },
      { authorization: basic(a) },
    );
    expect(refresh.status).toBe(503);
    expect(refresh.json.error).toBe('temporarily_unavailable');
    // client_credentials needs no Redis.
    expect(
      (
        await postForm(
          `${node1.url}/oauth/token`,
          { grant_type: 'client_credentials' },
          { authorization: basic(a) },
        )
      ).status,
    ).toBe(200);
    // A revocation while Redis is down is written to Postgres and reaches node 2 by resync.
    expect((await revoke(node1, live)).status).toBe(200);
    expect((await me(node1, live)).status).toBe(401);
    const t0 = Date.now();
    while ((await me(node2, live)).status !== 401) {
      if (Date.now() - t0 > 5000)
        throw new Error('node 2 never learned of the revocation made while Redis was down');
      await sleep(50);
    }

    await redis.start(); // blank: the restarted Redis has lost every refresh token
    await sleep(300);
    for (const node of [node1, node2]) {
      expect((await me(node, revokedBefore)).status).toBe(401);
      expect((await me(node, live)).status).toBe(401);
    }
    const after = await postForm(
      `${node2.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: pair.refresh_token! },
      { authorization: basic(a) },
    );
    expect([400, 503]).toContain(after.status);
    if (after.status === 400) expect(after.json.error).toBe('invalid_grant');
    // And a revocation after the return propagates by broadcast again.
    const fresh = await cc(node1);
    await revoke(node1, fresh);
    const t1 = Date.now();
    while ((await me(node2, fresh)).status !== 401) {
      if (Date.now() - t1 > 5000)
        throw new Error('propagation did not resume after Redis returned');
      await sleep(10);
    }
  });
});
