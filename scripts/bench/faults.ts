/**
 * npm run bench:faults — refresh and revocation under faults: the built server as child
 * processes over real Postgres and a Redis of the bench's own, all on 127.0.0.1.
 *
 *  1. BENCH_KILLS (20) times: 8 refreshes in flight at node A (sent 10 ms apart), A SIGKILLed
 *     blindly (0–100 ms), right after the first answer, or 0–40 ms after it; every request it
 *     cut off is retried at node B. A family is lost when the retry is not a 200, when it forks
 *     (B answers with another successor than A did), or when its successor no longer
 *     refreshes afterwards.
 *  2. A Redis outage: Redis SIGKILLed, restarted from a snapshot taken just before (so tokens
 *     survive, as with AOF). Meanwhile both nodes revoke (RFC 7009: refresh and access tokens)
 *     and refuse refreshes with 503. Measured: time until both nodes rotate again.
 *  3. More revocations while node A is down; A restarted.
 *  4. Every revoked token checked at both nodes (allowing DENYLIST_SYNC_INTERVAL to pass):
 *     any still accepted is a revocation lost.
 *  5. refresh_token rotation throughput of this build and of a baseline build (BENCH_BASELINE,
 *     default ed4aa3e: the commit before durable consumption), against the same Postgres and
 *     Redis, alternately, BENCH_SECONDS (10) each, BENCH_CONNECTIONS (32).
 * Exit 1 when a fault target (0 lost, 0 accepted, 0 5xx other than 503) is missed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { startRedisServer } from '@tessera/testing/redis-server';
import {
  Stack,
  keyDir,
  log,
  serverEnv,
  startServer,
  startServices,
  type Server,
} from './bench-stack';
import { FORM, ROOT as root, basicAuth, envNumber, refreshRotation } from './common';
import { startCpuAccounting } from './cpu';
import { runLoad, type LoadResult } from './load';
import { seed, type Seeded } from './seed';
import { checkpoint, runBench } from './run';

const KILLS = envNumber('BENCH_KILLS', 20);
const IN_FLIGHT = 8;
const SECONDS = envNumber('BENCH_SECONDS', 10);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 32);
const BASELINE = process.env.BENCH_BASELINE ?? 'ed4aa3e';
const REVOKE_EACH = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  json: Record<string, string>;
}
interface Family {
  rt: string;
  at: string;
}

const basic = (s: Seeded) => basicAuth(s.clientId, s.secret);

async function post(url: string, body: string, s: Seeded): Promise<Answer> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { authorization: basic(s), 'content-type': FORM },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await r.text();
  return { status: r.status, json: text ? (JSON.parse(text) as Record<string, string>) : {} };
}
const refresh = (srv: Server, s: Seeded, rt: string) =>
  post(`${srv.url}/oauth/token`, `grant_type=refresh_token&refresh_token=${rt}`, s);
const revoke = (srv: Server, s: Seeded, token: string) =>
  post(`${srv.url}/oauth/revoke`, `token=${token}`, s);
const me = async (srv: Server, at: string) =>
  (await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: `Bearer ${at}` } })).status;

/** Counts every answer: a 5xx other than 503 is a bug whatever the fault. */
const tally = { fiveXX: 0, unavailable: 0 };
function seen(a: Answer | undefined): Answer | undefined {
  if (a && a.status >= 500) {
    if (a.status === 503) tally.unavailable++;
    else tally.fiveXX++;
  }
  return a;
}

async function until(ok: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ok().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

function killNow(srv: Server): Promise<void> {
  return new Promise((resolve) => {
    if (srv.child.exitCode !== null || srv.child.signalCode !== null) return resolve();
    srv.child.once('exit', () => resolve());
    srv.child.kill('SIGKILL');
  });
}

/** The baseline's server, built from `git archive` into the stack's temp dir. */
function buildBaseline(stack: Stack): string | undefined {
  if (!/^[\w./-]{1,64}$/.test(BASELINE)) return undefined;
  const dir = path.join(stack.dir, 'baseline');
  mkdirSync(dir);
  const archive = spawnSync(
    'sh',
    [
      '-c',
      `git archive --format=tar "$0" apps libs migrations .swcrc | tar -x -C "$1"`,
      BASELINE,
      dir,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (archive.status !== 0) {
    log(`baseline ${BASELINE}: git archive failed (${archive.stderr.trim()}); skipped`);
    return undefined;
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const swc = path.join(root, 'node_modules/.bin/swc');
  const build = spawnSync(swc, ['apps', 'libs', 'migrations', '-d', 'dist', '-q'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    log(`baseline ${BASELINE}: build failed (${build.stderr.trim()}); skipped`);
    return undefined;
  }
  return path.join(dir, 'dist/apps/auth/src/main.js');
}

async function killRounds(
  committed: (rt: string) => Promise<boolean>,
  stack: Stack,
  env: Record<string, string>,
  nodes: { a: Server; b: Server },
  s: Seeded,
  pool: string[],
) {
  const out = {
    answered: 0,
    cutOff: 0,
    committedUnanswered: 0,
    lost: 0,
    forks: 0,
    families: [] as Family[],
  };
  for (let round = 0; round < KILLS; round++) {
    checkpoint();
    const batch = pool.splice(0, IN_FLIGHT);
    let firstAnswer: () => void = () => undefined;
    const answered = new Promise<void>((r) => (firstAnswer = r));
    const inFlight = batch.map((rt, i) =>
      sleep(i * 10).then(() =>
        refresh(nodes.a, s, rt).then(
          (a) => (firstAnswer(), a),
          () => undefined,
        ),
      ),
    );
    // Three kinds of moment, in turn: blind, right after the first answer, a little after it.
    if (round % 3 === 0) await sleep(Math.random() * 100);
    else await Promise.race([answered, sleep(10_000)]);
    if (round % 3 === 2) await sleep(Math.random() * 40);
    await killNow(nodes.a);
    const answers = await Promise.all(inFlight);
    for (const [i, rt] of batch.entries()) {
      const fromA = seen(answers[i]);
      if (fromA?.status === 200) out.answered++;
      else {
        out.cutOff++;
        if (await committed(rt)) out.committedUnanswered++;
      }
      // The client retries at the other node: it may have lost A's answer as well.
      const retry = seen(await refresh(nodes.b, s, rt).catch(() => undefined));
      if (retry?.status !== 200) {
        out.lost++;
        continue;
      }
      if (fromA?.status === 200 && fromA.json.refresh_token !== retry.json.refresh_token)
        out.forks++;
      out.families.push({ rt: retry.json.refresh_token!, at: retry.json.access_token! });
    }
    nodes.a = await warm(await startServer(stack, `a${round + 1}`, env), s, pool);
    log(`kill ${round + 1}/${KILLS}: ${out.answered} answered, ${out.cutOff} cut off so far`);
  }
  // Every family that came through lives on: its successor refreshes, at either node.
  for (const [i, f] of out.families.entries()) {
    const r = seen(await refresh(i % 2 ? nodes.a : nodes.b, s, f.rt).catch(() => undefined));
    if (r?.status === 200) [f.rt, f.at] = [r.json.refresh_token!, r.json.access_token!];
    else out.lost++;
  }
  return out;
}

/** A fresh process is slow on its first requests (JIT, pools): warm it before a kill round. */
async function warm(srv: Server, s: Seeded, pool: string[]): Promise<Server> {
  for (let i = 0; i < 3; i++) await clientCredentials(srv, s);
  const rt = pool.shift();
  if (rt) {
    const r = await refresh(srv, s, rt);
    if (r.status === 200) pool.push(r.json.refresh_token!);
  }
  return srv;
}

async function clientCredentials(srv: Server, s: Seeded): Promise<string> {
  const r = await post(`${srv.url}/oauth/token`, 'grant_type=client_credentials', s);
  if (r.status !== 200) throw new Error(`client_credentials answered ${r.status}`);
  return r.json.access_token!;
}

async function refreshLoad(srv: Server, s: Seeded, pool: string[], seconds: number) {
  return runLoad({
    name: srv.name,
    url: srv.url,
    method: 'POST',
    path: '/oauth/token',
    headers: { authorization: basic(s), 'content-type': FORM },
    ...refreshRotation(pool),
    seconds,
    connections: CONNECTIONS,
  });
}

async function main(stack: Stack): Promise<number> {
  log(`cores ${os.availableParallelism()}, load average ${os.loadavg()[0]!.toFixed(2)}`);
  const redis = await startRedisServer({ snapshots: true });
  stack.onStop(() => redis.stop());
  const [svc, keys] = await Promise.all([startServices(stack, redis), keyDir(stack, 2048)]);
  const throughputPool = CONNECTIONS * 4;
  const seeded = await seed(
    svc,
    keys.dir,
    stack.dir,
    KILLS * IN_FLIGHT + 4 * REVOKE_EACH + 2 * throughputPool,
  );
  const pool = [...seeded.refreshTokens];
  const env = { ...serverEnv(svc, keys.dir, stack.dir), REFRESH_GRACE_PERIOD: '10s' };
  const nodes = {
    a: await warm(await startServer(stack, 'a0', env), seeded, pool),
    b: await startServer(stack, 'b', env),
  };

  log(`${KILLS} node kills mid-rotation, ${IN_FLIGHT} refreshes in flight each`);
  // The owner's own connection, reading across tenants: did a cut-off rotation commit?
  const pg = new PgClient({ connectionString: svc.ownerUrl });
  await pg.connect();
  stack.onStop(() => pg.end());
  await pg.query(`SELECT set_config('app.cross_tenant', 'on', false)`);
  const committed = async (rt: string) =>
    (
      await pg.query(
        'SELECT 1 FROM tessera.api_tokens WHERE token_hash = $1 AND consumed_at IS NOT NULL',
        [createHash('sha256').update(rt).digest('hex')],
      )
    ).rowCount === 1;
  const kills = await killRounds(committed, stack, env, nodes, seeded, pool);

  // Revocations across faults; each is checked at both nodes at the end.
  const revokedFamilies: Family[] = [];
  const revokedAccess: string[] = [];
  let revokeRefused = 0;
  const revokeBoth = async (srv: Server) => {
    for (let i = 0; i < REVOKE_EACH; i++) {
      const f = kills.families.pop();
      if (f) {
        const r = seen(await revoke(srv, seeded, f.rt).catch(() => undefined));
        if (r?.status === 200) revokedFamilies.push(f);
        else revokeRefused++;
      }
      const at = await clientCredentials(nodes.b, seeded);
      const r = seen(await revoke(srv, seeded, at).catch(() => undefined));
      if (r?.status === 200) revokedAccess.push(at);
      else revokeRefused++;
    }
  };
  const live = [kills.families.pop()!, kills.families.pop()!];

  checkpoint();
  log('Redis outage: SIGKILL, revocations at both nodes, restart from the last snapshot');
  await redis.snapshot();
  await redis.stop();
  await revokeBoth(nodes.a);
  await revokeBoth(nodes.b);
  const during = seen(await refresh(nodes.a, seeded, live[0]!.rt).catch(() => undefined));
  await redis.start();
  const back = performance.now();
  const serving = await Promise.all(
    [nodes.a, nodes.b].map(async (srv, i) => {
      const f = live[i]!;
      const ok = await until(async () => {
        const r = seen(await refresh(srv, seeded, f.rt));
        if (r?.status === 200) [f.rt, f.at] = [r.json.refresh_token!, r.json.access_token!];
        return r?.status === 200;
      }, 30_000);
      return ok ? performance.now() - back : Infinity;
    }),
  );

  checkpoint();
  log('node A down: revocations at node B, then A restarted');
  await killNow(nodes.a);
  await revokeBoth(nodes.b);
  nodes.a = await startServer(stack, 'a-after', env);

  let accepted = 0;
  for (const srv of [nodes.a, nodes.b]) {
    for (const f of revokedFamilies) {
      if (!(await until(async () => (await me(srv, f.at)) === 401, 3000))) accepted++;
      const r = seen(await refresh(srv, seeded, f.rt).catch(() => undefined));
      if (r?.status === 200) accepted++;
    }
    for (const at of revokedAccess)
      if (!(await until(async () => (await me(srv, at)) === 401, 3000))) accepted++;
  }

  checkpoint();
  const baseline = buildBaseline(stack);
  await killNow(nodes.a);
  await killNow(nodes.b);
  const runs: { label: string; r: LoadResult }[] = [];
  const current = { label: 'this build (Postgres decides consumption)', main: undefined };
  const before = { label: `baseline ${BASELINE} (consumption in Redis only)`, main: baseline };
  // Alternately, twice each: the machine's noise falls on both alike.
  const order = baseline ? [before, current, before, current] : [current, current];
  for (const build of order) {
    checkpoint();
    const srvPool = pool.splice(0, throughputPool);
    const srv = await startServer(stack, `tp-${runs.length}`, env, build.main);
    await refreshLoad(srv, seeded, srvPool, 2); // warm-up
    const cpu = startCpuAccounting({ serverPid: srv.child.pid, ...svc });
    const r = await refreshLoad(srv, seeded, srvPool, SECONDS);
    r.cpu = cpu(r.requests);
    log(
      `${build.label}: ${r.rps.toFixed(0)} refresh/s, p50 ${r.p50} ms, p99 ${r.p99} ms, statuses ${JSON.stringify(r.statusCodes)}, bad ${r.bad}`,
    );
    runs.push({ label: build.label, r });
    pool.push(...srvPool);
    await srv.stop();
  }

  const lost = kills.lost + kills.forks;
  const rows: [string, string, string][] = [
    [
      `refresh families lost over ${KILLS} node kills mid-rotation (${kills.answered} answered; ${kills.cutOff} cut off — ${kills.committedUnanswered} of them after their commit — and retried at the other node)`,
      String(lost),
      '0',
    ],
    [
      `revocations lost (${revokedFamilies.length} families + ${revokedAccess.length} access tokens revoked during a Redis outage or with a node down; refused: ${revokeRefused})`,
      String(revokeRefused),
      '0',
    ],
    ['revoked tokens accepted after a fault (both nodes)', String(accepted), '0'],
    [`5xx other than 503 (503 seen: ${tally.unavailable})`, String(tally.fiveXX), '0'],
    ['refresh during the Redis outage', during ? String(during.status) : 'no answer', '503'],
    [
      'both nodes rotating again after Redis returns',
      `${Math.max(...serving).toFixed(0)} ms (A ${serving[0]!.toFixed(0)}, B ${serving[1]!.toFixed(0)})`,
      '—',
    ],
  ];
  const table = [
    '| fault measure | result | target |',
    '| --- | ---: | ---: |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  const tp = [
    '| refresh_token rotation (RS256-2048, one node) | req/s | p50 ms | p99 ms | non-2xx | Postgres CPU ms/req | server CPU ms/req |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(({ label, r }) => {
      const c = r.cpu?.perRequestMs;
      const ms = (v?: number) => (v === undefined ? 'n/a' : v.toFixed(2));
      const server = c && c.server_main + c.server_other_threads;
      return `| ${label} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.bad} | ${ms(c?.postgres)} | ${ms(server)} |`;
    }),
  ];
  process.stdout.write(
    `\n${os.availableParallelism()} cores, node ${process.version}, ${CONNECTIONS} connections, ${SECONDS}s per throughput run\n\n${table.join('\n')}\n\n${tp.join('\n')}\n`,
  );
  const missed =
    lost !== 0 ||
    revokeRefused !== 0 ||
    accepted !== 0 ||
    tally.fiveXX !== 0 ||
    !isFinite(Math.max(...serving));
  return missed ? 1 : 0;
}

runBench(main);
