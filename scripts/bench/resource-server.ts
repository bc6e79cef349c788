/**
 * npm run bench:rs — @tessera/resource-server on a guarded route, next to the same route without
 * auth (target: ≥ 0.8× the open route's req/s). A real Tessera child (tokens, JWKS) over Postgres
 * and Redis on loopback; the API is its own process (scripts/bench/rs-api.ts); autocannon loads
 * /open and /guarded alternately, BENCH_ROUNDS (3) rounds of BENCH_SECONDS (5) each with
 * BENCH_CONNECTIONS (32), after a warm-up; each route's figures are from its median round (by
 * req/s), so a burst of load from elsewhere on a shared machine skews one round, not the ratio.
 * The API is a resource server registered in Tessera (seed), on Tessera's REAL revocation feed,
 * with tokens asked for with RFC 8707 `resource`. Then BENCH_REVOCATIONS (200) revocations at
 * Tessera (RFC 7009), each timed until the API refuses the token (target p99 < 1 s, aim
 * < 250 ms). Writes bench-results-rs.json.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ISSUER, Stack, keyDir, log, serverEnv, startServer, startServices } from './bench-stack';
import { ROOT, basicAuth, envNumber, fetchAccessToken, writeResults } from './common';
import { runLoad, type LoadResult } from './load';
import { seed } from './seed';
import { measureRsRevocation } from './rs-revocation';
import { runBench } from './run';

const SECONDS = envNumber('BENCH_SECONDS', 5);
const ROUNDS = envNumber('BENCH_ROUNDS', 3);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 32);
const WARMUP_SECONDS = 2;
const TARGET_RATIO = 0.8;
const REVOCATIONS = envNumber('BENCH_REVOCATIONS', 200);
const TARGET_REVOCATION_P99_MS = 1000;

async function startApi(stack: Stack, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/scripts/bench/rs-api.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.track(child);
  stack.onStop(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rs-api not up after 30 s:\n${out}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve(`http://127.0.0.1:${m[1]}`);
    });
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (c) => reject(new Error(`rs-api exited (${c}):\n${out}`)));
  });
}

const load = (name: string, url: string, route: string, token: string, seconds: number) =>
  runLoad({
    name,
    url,
    method: 'GET',
    path: route,
    headers: { authorization: `Bearer ${token}` },
    verify: (b) => b.includes('inv_1'),
    seconds,
    connections: CONNECTIONS,
  });

async function main(stack: Stack): Promise<number> {
  const [svc, keys] = await Promise.all([startServices(stack), keyDir(stack, 2048)]);
  const srv = await startServer(stack, 'tessera', serverEnv(svc, keys.dir, stack.dir));
  const seeded = await seed(svc, keys.dir, stack.dir, 0);
  const rs = seeded.resourceServer;
  // ISSUER is not routable here: point the API at this node for the JWKS and the feed.
  const api = await startApi(stack, {
    BENCH_RS_ISSUER: ISSUER,
    BENCH_RS_IDENTIFIER: rs.identifier,
    BENCH_RS_CLIENT_ID: rs.clientId,
    BENCH_RS_CLIENT_SECRET: rs.secret,
    BENCH_RS_JWKS_URI: `${srv.url}/.well-known/jwks.json`,
    BENCH_RS_FEED: `${srv.url}/oauth/revocation-events`,
  });
  const basic = basicAuth(seeded.clientId, seeded.secret);
  const token = await fetchAccessToken(`${srv.url}/oauth/token`, basic, {
    grant_type: 'client_credentials',
    scope: 'read',
    resource: rs.identifier,
  });
  for (
    let i = 0;
    (await fetch(`${api}/guarded`, { headers: { authorization: `Bearer ${token}` } })).status !==
    200;
    i++
  ) {
    if (i > 300) throw new Error('the guarded route never answered 200 (feed not synced?)');
    await new Promise((r) => setTimeout(r, 100));
  }
  log(
    `warm-up ${WARMUP_SECONDS}s each, then ${ROUNDS} rounds of ${SECONDS}s × ${CONNECTIONS} connections per route`,
  );
  await load('warm-open', api, '/open', token, WARMUP_SECONDS);
  await load('warm-guarded', api, '/guarded', token, WARMUP_SECONDS);
  const rounds: { open: LoadResult[]; guarded: LoadResult[] } = { open: [], guarded: [] };
  for (let i = 0; i < ROUNDS; i++) {
    rounds.open.push(await load('open', api, '/open', token, SECONDS));
    rounds.guarded.push(await load('guarded', api, '/guarded', token, SECONDS));
    log(
      `round ${i + 1}: open ${rounds.open[i]!.rps.toFixed(0)}/s, guarded ${rounds.guarded[i]!.rps.toFixed(0)}/s`,
    );
  }
  log(`${REVOCATIONS} revocations at Tessera (RFC 7009), each until the API refuses the token`);
  const revocation = await measureRsRevocation({
    tessera: srv.url,
    api,
    route: '/guarded',
    authorization: basic,
    resource: rs.identifier,
    revocations: REVOCATIONS,
  });
  const median = (rs: LoadResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[rs.length >> 1]!;
  const open = median(rounds.open);
  const guarded = median(rounds.guarded);
  const ratio = guarded.rps / open.rps;
  const ok = (r: LoadResult) => r.bad === 0;
  const clean = [...rounds.open, ...rounds.guarded].every(ok);
  const revocationOk = revocation.failures === 0 && revocation.p99 < TARGET_REVOCATION_P99_MS;
  const passed = clean && ratio >= TARGET_RATIO && revocationOk;
  const row = (r: LoadResult) =>
    `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.bad} |`;
  process.stdout.write(
    [
      '',
      `${os.availableParallelism()} cores, node ${process.version}, ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS}s per route (median round), load average ${os.loadavg()[0]!.toFixed(2)}`,
      '',
      '| route | req/s | p50 ms | p99 ms | bad |',
      '|---|---|---|---|---|',
      row(open),
      row(guarded),
      '',
      `guarded / open = ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}) ${clean && ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'}`,
      '',
      '| revocation at Tessera → refused at the API | revocations | p50 ms | p99 ms | max ms | failures |',
      '|---|---|---|---|---|---|',
      `| RFC 7009 → 401 (real feed, long poll) | ${revocation.revocations} | ${revocation.p50.toFixed(1)} | ${revocation.p99.toFixed(1)} | ${revocation.max.toFixed(1)} | ${revocation.failures} |`,
      '',
      ...(revocation.failures ? [`failures: ${revocation.failureReasons.join(', ')}`, ''] : []),
      `revocation p99 ${revocation.p99.toFixed(1)} ms (target < ${TARGET_REVOCATION_P99_MS} ms, aim < 250 ms) ${revocationOk ? 'PASS' : 'FAIL'}`,
      '',
    ].join('\n'),
  );
  writeResults('bench-results-rs.json', 'resource-server', {
    connections: CONNECTIONS,
    seconds: SECONDS,
    rounds,
    open,
    guarded,
    ratio,
    revocation,
    passed,
  });
  return passed ? 0 : 1;
}

runBench(main);
