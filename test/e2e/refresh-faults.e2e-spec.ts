import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { Client as Pg } from 'pg';
import { DI } from '@tessera/application/di-tokens';
import type { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';
import type { SessionTokens } from '@tessera/application/session/session-tokens';
import type { UserRepository } from '@tessera/application/tenant/user-repository.port';
import type { MembershipRepository } from '@tessera/application/tenant/membership-repository.port';
import {
  connectSuperuser,
  createTestDatabase,
  type TestDatabase,
} from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';
import { startRedisServer, type TestRedisServer } from '@tessera/testing/redis-server';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { basic, postForm, seedClient, type TestClient } from '@tessera/testing/oauth-fixtures';

/**
 * The window a cut-off request's retry must land in (SIGKILL rounds retry up to six tokens one
 * after another at the other node): wide enough for a loaded machine, short enough that the
 * reuse checks, which wait it out, stay cheap.
 */
const GRACE_S = 15;
/** A grace that outlasts a Redis restart and every reconnect, however loaded the machine. */
const LONG_GRACE_S = 120;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Polls until `ok` holds; fails with `what` after a generous overall timeout. */
async function eventually(what: string, ok: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(50);
  }
}

/**
 * Crashes and outages around refresh rotation and family revocation, with two Tessera nodes
 * as separate processes over one Postgres and one Redis of this file's own (so it can be
 * stopped, and restarted from an older snapshot).
 */
describe('refresh tokens › faults', () => {
  let db: TestDatabase;
  let redis: TestRedisServer;
  let redisClient: Redis;
  let su: Pg;
  let minter: RunningApp;
  let nodeA: ServerProcess;
  let nodeB: ServerProcess;
  let c: TestClient;
  const nodeEnv = () => ({
    REDIS_URL: redis.url,
    ISSUER: 'http://tessera.test',
    REFRESH_GRACE_PERIOD: `${GRACE_S}s`,
    DENYLIST_SYNC_INTERVAL: '1s',
    DATA_DIR: minter.cfg.dataDir,
  });
  const mint = () =>
    minter.app.get<IssueTokenUseCase>(DI.IssueToken).execute({
      tenantId: c.tenantId,
      subject: 'svc',
      clientId: c.clientId,
      scopes: ['read'],
      grant: 'cli',
      withRefresh: true,
    });
  const refreshAt = (node: { url: string }, rt: string) =>
    postForm(
      `${node.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: rt },
      { authorization: basic(c) },
    );
  const revokeAt = (node: { url: string }, token: string) =>
    postForm(`${node.url}/oauth/revoke`, { token }, { authorization: basic(c) });
  const me = async (node: { url: string }, at: string) =>
    (await fetch(`${node.url}/api/v1/me`, { headers: { authorization: `Bearer ${at}` } })).status;
  const row = async (rt: string) =>
    (
      await su.query<{ family_id: string; consumed_at: Date | null; revoked_at: Date | null }>(
        'SELECT family_id, consumed_at, revoked_at FROM tessera.api_tokens WHERE token_hash = $1',
        [sha256(rt)],
      )
    ).rows[0]!;
  const fault = async (table: string, body: string, when = 'true') => {
    await su.query(
      `CREATE OR REPLACE FUNCTION tessera.test_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body}; RETURN NEW; END $$`,
    );
    await su.query(
      `CREATE TRIGGER test_fault BEFORE INSERT ON tessera.${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION tessera.test_fault()`,
    );
    return () => su.query(`DROP TRIGGER IF EXISTS test_fault ON tessera.${table}`);
  };
  /** Redis back, and this process' own connection to it too (the minter reconnects on its own). */
  const restartRedis = async () => {
    await redis.start();
    await eventually('the minter reaches Redis again', async () => !!(await mint()));
  };
  /** A fresh process answers its first requests slowly: warm it before it is killed again. */
  const warm = async (node: ServerProcess) => {
    for (let i = 0; i < 3; i++) await refreshAt(node, (await mint()).refresh_token!);
    return node;
  };
  const REFRESH_ROW = `NEW.kind = 'refresh' AND NEW.created_via = 'refresh_token'`;
  const sleepingInsert = () =>
    eventually('the successor insert is sleeping in Postgres', async () => {
      const r = await su.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep'`,
        [db.name],
      );
      return (r.rowCount ?? 0) > 0;
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startRedisServer({ snapshots: true });
    redisClient = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    su = await connectSuperuser(db);
    minter = await startTestApp(db, {
      REDIS_URL: redis.url,
      ISSUER: 'http://tessera.test',
      REFRESH_GRACE_PERIOD: `${GRACE_S}s`,
    });
    c = await seedClient(minter, { scopes: ['read'] });
    [nodeA, nodeB] = await Promise.all([
      startServerProcess(db, { env: nodeEnv() }).then(warm),
      startServerProcess(db, { env: nodeEnv() }).then(warm),
    ]);
  }, 120_000);
  afterAll(async () => {
    await nodeA?.kill();
    await nodeB?.kill();
    await minter?.close();
    redisClient?.disconnect();
    await su?.end();
    await redis?.stop();
    await db?.drop();
  });

  it('a node SIGKILLed mid-rotation, again and again: every cut-off request retried at the other node gets a successor, no family is lost, reuse after the grace window still revokes', async () => {
    const ROUNDS = 6;
    const FAMILIES = 6;
    const families: { original: string; current: string; access: string }[] = [];
    const seen = { answered: 0, cutOff: 0, committedUnanswered: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const pairs = await Promise.all(Array.from({ length: FAMILIES }, mint));
      // Staggered requests and a different kill moment each round: some rotations have not
      // started, some are signing or inside their transaction, some committed, some answered.
      let answeredYet = false;
      const inFlight = pairs.map((p, i) =>
        sleep(i * 15).then(() =>
          refreshAt(nodeA, p.refresh_token!).then(
            (r) => ((answeredYet = true), r),
            () => undefined,
          ),
        ),
      );
      const hashes = pairs.map((p) => sha256(p.refresh_token!));
      const moment = [
        () => Promise.resolve(true),
        async () =>
          (
            await su.query(
              'SELECT 1 FROM tessera.api_tokens WHERE token_hash = ANY($1) AND consumed_at IS NOT NULL',
              [hashes],
            )
          ).rowCount! > 0,
        () => Promise.resolve(answeredYet),
      ][round % 3]!;
      await sleep(round < 3 ? 0 : Math.random() * 80);
      await eventually('the moment to kill node A', moment);
      await nodeA.kill('SIGKILL');
      const answers = await Promise.all(inFlight);
      for (const [i, p] of pairs.entries()) {
        const fromA = answers[i];
        if (fromA) {
          expect(fromA.status).toBe(200);
          seen.answered++;
        } else {
          seen.cutOff++;
          if ((await row(p.refresh_token!)).consumed_at) seen.committedUnanswered++;
        }
        // The client retries at the other node (it may have lost A's answer too).
        const retry = await refreshAt(nodeB, p.refresh_token!);
        expect(retry.status).toBe(200);
        if (fromA) expect(retry.json.refresh_token).toBe(fromA.json.refresh_token);
        families.push({
          original: p.refresh_token!,
          current: retry.json.refresh_token as string,
          access: retry.json.access_token as string,
        });
      }
      nodeA = await warm(await startServerProcess(db, { env: nodeEnv() }));
    }
    // Every family lives on: its successor refreshes, at either node.
    let lost = 0;
    for (const [i, f] of families.entries()) {
      const r = await refreshAt(i % 2 ? nodeA : nodeB, f.current);
      if (r.status !== 200) lost++;
      else [f.current, f.access] = [r.json.refresh_token as string, r.json.access_token as string];
    }
    console.log(
      `SIGKILL mid-rotation: ${ROUNDS} kills, ${families.length} families; answered ${seen.answered}, cut off ${seen.cutOff} (${seen.committedUnanswered} after their commit); ${lost} families lost`,
    );
    expect(lost).toBe(0);
    // The fault was exercised: some requests were cut off by the kill, not all answered first.
    expect(seen.cutOff).toBeGreaterThan(0);

    // After the window, presenting a consumed token again is reuse: the family is revoked.
    await sleep((GRACE_S + 1) * 1000);
    const [victim, bystander] = [families[0]!, families[1]!];
    const reuse = await refreshAt(nodeB, victim.original);
    expect(reuse.status).toBe(400);
    expect(reuse.json.error).toBe('invalid_grant');
    expect((await refreshAt(nodeA, victim.current)).json.error).toBe('invalid_grant');
    await eventually(
      'both nodes refuse the revoked family’s access token',
      async () =>
        (await me(nodeA, victim.access)) === 401 && (await me(nodeB, victim.access)) === 401,
    );
    expect((await refreshAt(nodeB, bystander.current)).status).toBe(200);
  }, 240_000);

  it('the successor’s insert fails inside the rotation → 503, nothing consumed; the retry at the other node succeeds', async () => {
    const p = await mint();
    const heal = await fault('api_tokens', `RAISE EXCEPTION 'injected fault'`, REFRESH_ROW);
    try {
      const r = await refreshAt(nodeA, p.refresh_token!);
      expect(r.status).toBe(503);
      expect(r.json.error).toBe('temporarily_unavailable');
      expect((await row(p.refresh_token!)).consumed_at).toBeNull();
    } finally {
      await heal();
    }
    const retry = await refreshAt(nodeB, p.refresh_token!);
    expect(retry.status).toBe(200);
    expect((await refreshAt(nodeA, retry.json.refresh_token as string)).status).toBe(200);
  });

  it('a node killed inside the rotation’s transaction: nothing committed, the retry at the other node succeeds', async () => {
    const p = await mint();
    const heal = await fault('api_tokens', 'PERFORM pg_sleep(2)', REFRESH_ROW);
    const inFlight = refreshAt(nodeA, p.refresh_token!).catch(() => undefined);
    try {
      await sleepingInsert();
      await nodeA.kill('SIGKILL');
      expect(await inFlight).toBeUndefined();
    } finally {
      await heal();
    }
    const retry = await refreshAt(nodeB, p.refresh_token!);
    expect(retry.status).toBe(200);
    expect((await refreshAt(nodeB, retry.json.refresh_token as string)).status).toBe(200);
    nodeA = await startServerProcess(db, { env: nodeEnv() });
  }, 120_000);

  it('a node killed after the commit, before Redis heard of it: the retry gets the successor Postgres kept, which then works', async () => {
    const p = await mint();
    const heal = await fault('api_tokens', 'PERFORM pg_sleep(1)', REFRESH_ROW);
    const inFlight = refreshAt(nodeA, p.refresh_token!).catch(() => undefined);
    try {
      await sleepingInsert();
      // Redis holds every write from now on: the rotation commits, then waits on Redis.
      await redisClient.call('CLIENT', 'PAUSE', '30000', 'WRITE');
      await eventually(
        'the rotation committed',
        async () => !!(await row(p.refresh_token!)).consumed_at,
      );
      await sleep(300);
      await nodeA.kill('SIGKILL');
    } finally {
      await redisClient.call('CLIENT', 'UNPAUSE');
      await heal();
    }
    expect(await inFlight).toBeUndefined();
    const rtKey = `tessera:{${c.tenantId}}:rt:${sha256(p.refresh_token!)}`;
    expect(await redisClient.hexists(rtKey, 'c')).toBe(0); // Redis never learned of it
    const retry = await refreshAt(nodeB, p.refresh_token!);
    expect(retry.status).toBe(200);
    const again = await refreshAt(nodeB, p.refresh_token!);
    expect(again.json.refresh_token).toBe(retry.json.refresh_token);
    expect((await refreshAt(nodeB, retry.json.refresh_token as string)).status).toBe(200);
    nodeA = await startServerProcess(db, { env: nodeEnv() });
  }, 120_000);

  it('Redis restarted without its recent writes: a refresh token consumed before mints no second chain', async () => {
    // The replay inside the window comes after a Redis restart and the reconnects, which a
    // busy machine may stretch past GRACE_S: a node of its own judges it with a grace that
    // covers them (the node that answers a replay applies its own REFRESH_GRACE_PERIOD).
    const patient = await startServerProcess(db, {
      env: { ...nodeEnv(), REFRESH_GRACE_PERIOD: `${LONG_GRACE_S}s` },
    });
    try {
      const p = await mint();
      await redis.snapshot(); // Redis as it was before the rotation
      const first = await refreshAt(nodeA, p.refresh_token!);
      expect(first.status).toBe(200);
      const consumedAt = (await row(p.refresh_token!)).consumed_at!.getTime();
      await redis.stop();
      await restartRedis(); // from the snapshot: the consumed token looks unused again
      let replay = await refreshAt(patient, p.refresh_token!);
      await eventually('the patient node serves refresh again', async () => {
        replay = await refreshAt(patient, p.refresh_token!);
        return replay.status !== 503;
      });
      // Inside its grace window: the successor already handed out, not a new chain.
      expect(replay.status).toBe(200);
      expect(replay.json.refresh_token).toBe(first.json.refresh_token);
      const next = await refreshAt(nodeA, first.json.refresh_token as string);
      expect(next.status).toBe(200);
      // Past node B's window: reuse, and the whole family is revoked.
      await sleep(Math.max(0, consumedAt + (GRACE_S + 1) * 1000 - Date.now()));
      expect((await refreshAt(nodeB, p.refresh_token!)).json.error).toBe('invalid_grant');
      expect((await refreshAt(nodeA, next.json.refresh_token as string)).json.error).toBe(
        'invalid_grant',
      );
    } finally {
      await patient.kill();
    }
  }, 180_000);

  it('Redis down: RFC 7009 revocation of a refresh token is 200, and after Redis returns the token is refused', async () => {
    const p = await mint();
    await redis.snapshot(); // what Redis will remember: the family live
    await redis.stop();
    try {
      const r = await revokeAt(nodeA, p.refresh_token!);
      expect(r.status).toBe(200);
      expect((await row(p.refresh_token!)).revoked_at).not.toBeNull();
      await eventually(
        'both nodes refuse the family’s access token (Postgres resync, no Redis)',
        async () =>
          (await me(nodeA, p.access_token)) === 401 && (await me(nodeB, p.access_token)) === 401,
      );
    } finally {
      await restartRedis();
    }
    let after = await refreshAt(nodeB, p.refresh_token!);
    await eventually('node B serves refresh again', async () => {
      after = await refreshAt(nodeB, p.refresh_token!);
      return after.status !== 503;
    });
    expect(after.status).toBe(400);
    expect(after.json.error).toBe('invalid_grant');
    // The refusal also finished the revocation's last step: Redis marks the family.
    const fam = `tessera:{${c.tenantId}}:fam:${(await row(p.refresh_token!)).family_id}`;
    expect(await redisClient.hget(fam, 'revoked')).toBe('1');
  }, 120_000);

  it('Redis down: DELETE /api/v1/tokens/{id} with a bearer token revokes a session token, and a pre-upgrade pair as a family, recorded in Postgres', async () => {
    const user = await minter.app
      .get<UserRepository>(DI.Users)
      .upsert('https://idp.test', `alice-${Date.now()}`, null, null);
    await minter.app.get<MembershipRepository>(DI.Memberships).set(c.tenantId, user.id, 'member');
    const owner = { tenantId: c.tenantId, userId: user.id, role: 'member' as const };
    const tokens = minter.app.get<SessionTokens>(DI.SessionTokens);
    const token = await tokens.mint(owner, { name: 'ci' });
    // Session tokens minted before refresh tokens were dropped came as a pair: still revocable.
    const pair = await minter.app.get<IssueTokenUseCase>(DI.IssueToken).execute({
      tenantId: c.tenantId,
      subject: user.id,
      clientId: 'tessera-console',
      userId: user.id,
      role: 'member',
      scopes: ['api:read'],
      grant: 'session',
      withRefresh: true,
    });
    const caller = await tokens.mint(owner, { name: 'cli', scopes: 'api:read api:write' });
    await redis.snapshot();
    await redis.stop();
    try {
      for (const id of [token.jti, pair.refresh_jti]) {
        const r = await fetch(`${nodeA.url}/api/v1/tokens/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${caller.access_token}` },
        });
        expect(r.status).toBe(204);
      }
      expect((await row(pair.refresh_token!)).revoked_at).not.toBeNull();
      await eventually(
        'both nodes refuse the revoked access tokens',
        async () =>
          (await me(nodeA, token.access_token)) === 401 &&
          (await me(nodeB, token.access_token)) === 401 &&
          (await me(nodeA, pair.access_token)) === 401 &&
          (await me(nodeB, pair.access_token)) === 401,
      );
      expect(await me(nodeB, caller.access_token)).toBe(200);
    } finally {
      await restartRedis();
    }
  }, 120_000);

  it('Postgres failing in the middle of a family revocation: nothing half done, the next attempt completes it', async () => {
    const p = await mint();
    const r1 = await refreshAt(nodeA, p.refresh_token!);
    expect(r1.status).toBe(200);
    const rt = r1.json.refresh_token as string;
    const at = r1.json.access_token as string;
    // The denylist insert comes after api_tokens is marked, in the same transaction.
    const heal = await fault('token_denylist', `RAISE EXCEPTION 'injected fault'`);
    try {
      const failed = await revokeAt(nodeA, rt);
      expect(failed.status).toBe(503);
      expect((await row(rt)).revoked_at).toBeNull();
      expect(await me(nodeB, at)).toBe(200);
    } finally {
      await heal();
    }
    expect((await revokeAt(nodeB, rt)).status).toBe(200);
    await eventually('both nodes refuse every access token of the family', async () =>
      (await Promise.all([nodeA, nodeB].flatMap((n) => [me(n, at), me(n, p.access_token)]))).every(
        (s) => s === 401,
      ),
    );
    expect((await refreshAt(nodeA, rt)).json.error).toBe('invalid_grant');
  });

  it('a revocation an older release left half done (Redis marked the family, then Postgres failed: api_tokens unmarked, no denylist) is finished when the family is next presented', async () => {
    const p = await mint();
    const r1 = await refreshAt(nodeA, p.refresh_token!);
    const rt = r1.json.refresh_token as string;
    const at = r1.json.access_token as string;
    const familyId = (await row(rt)).family_id;
    // What the older release wrote first, and all it wrote: the family hash marked revoked.
    await redisClient.hset(`tessera:{${c.tenantId}}:fam:${familyId}`, 'revoked', '1');
    expect((await row(rt)).revoked_at).toBeNull();
    const denied = await su.query(
      `SELECT 1 FROM tessera.token_denylist d JOIN tessera.api_tokens t USING (jti)
       WHERE t.family_id = $1`,
      [familyId],
    );
    expect(denied.rowCount).toBe(0);
    expect(await me(nodeB, at)).toBe(200); // half done: its access token still passes

    const refused = await refreshAt(nodeB, rt);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('invalid_grant');
    expect((await row(rt)).revoked_at).not.toBeNull();
    await eventually(
      'both nodes refuse the family’s access token',
      async () => (await me(nodeA, at)) === 401 && (await me(nodeB, at)) === 401,
    );
    expect((await refreshAt(nodeA, rt)).json.error).toBe('invalid_grant');
  });
});
