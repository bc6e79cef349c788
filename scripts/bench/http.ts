/**
 * npm run bench — the built server as child processes over real Postgres and Redis on loopback,
 * loaded with autocannon: client_credentials (RS256-4096 and -2048), refresh_token rotation,
 * introspection (by the client, and by a resource server: RFC 7662 §4), GET /api/v1/me, and
 * revocation propagation between two nodes. The raw
 * single-thread sign rate is measured in the same run; targets come from it. Prints a markdown
 * table and writes bench-results.json. Exit code 1 when a row fails (errors or a missed target).
 *
 * Then the same load against node-oidc-provider and Tessera in turn, per algorithm (RS256-2048,
 * RS256-4096, ES256 client_credentials; introspection), with ratios and CPU per request.
 *
 * BENCH_SECONDS (10) per scenario, BENCH_CONNECTIONS (32), BENCH_REVOCATIONS (100),
 * BENCH_SCENARIOS (cc4096,refresh,introspect,introspect-rs,me,cc2048,revocation,peer),
 * BENCH_PROFILE=<dir> (--cpu-prof on every server child), BENCH_LOG_LEVEL (warn),
 * BENCH_PEER_LOG_LEVELS (warn,info: Tessera's level in the comparison; the peer logs nothing per
 * request either way), BENCH_PEER_CASES (rs2048,rs4096,es256,introspect).
 */
import os from 'node:os';
import path from 'node:path';
import {
  Stack,
  keyDir,
  log,
  serverEnv,
  startServer,
  startServices,
  type Server,
  type Services,
} from './bench-stack';
import {
  compareWithPeer,
  comparisonMarkdown,
  peerVersion,
  type CompareCase,
  type Comparison,
} from './compare';
import {
  FORM,
  basicAuth,
  clientCredentialsLoad,
  envNumber,
  fetchAccessToken,
  refreshRotation,
  writeResults,
} from './common';
import { startCpuAccounting } from './cpu';
import { runLoad, type LoadResult, type LoadSpec } from './load';
import { rawRs256PerSecond } from './raw-sign';
import {
  cpuMarkdown,
  loadRow,
  markdown,
  propagationRow,
  signTarget,
  type RawRates,
  type Row,
} from './report';
import { measurePropagation, type PropagationResult } from './revocation';
import { seed, type Seeded } from './seed';
import { checkpoint, runBench } from './run';

const SECONDS = envNumber('BENCH_SECONDS', 10);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 32);
const REVOCATIONS = envNumber('BENCH_REVOCATIONS', 100);
const RAW_SECONDS = 3;
const WARMUP_SECONDS = 3;
const ALL = [
  'cc4096',
  'refresh',
  'introspect',
  'introspect-rs',
  'me',
  'cc2048',
  'revocation',
  'peer',
];
const PRIMARY = ['cc4096', 'refresh', 'introspect', 'introspect-rs', 'me'];
const PEER_CASES: CompareCase[] = [
  { id: 'rs2048', alg: 'RS256', bits: 2048, kind: 'token', target: { ratio: 1.5 } },
  { id: 'rs4096', alg: 'RS256', bits: 4096, kind: 'token', target: { ratio: 0.95, tail: true } },
  { id: 'es256', alg: 'ES256', kind: 'token', target: { ratio: 1.5 } },
  { id: 'introspect', alg: 'RS256', bits: 2048, kind: 'introspect', target: { ratio: 1.5 } },
];
const PEER_CASE_IDS = new Set(
  (process.env.BENCH_PEER_CASES ?? PEER_CASES.map((c) => c.id).join(',')).split(','),
);
const PEER_LOG_LEVELS = (process.env.BENCH_PEER_LOG_LEVELS ?? 'warn,info').split(',');
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? ALL.join(',')).split(','));
const basic = (s: { clientId: string; secret: string }) => basicAuth(s.clientId, s.secret);

const clientCredentials = (name: string, srv: Server, s: Seeded, seconds = SECONDS): LoadSpec =>
  clientCredentialsLoad(name, srv.url, basic(s), seconds, CONNECTIONS);

const accessToken = (srv: Server, s: Seeded, resource?: string): Promise<string> =>
  fetchAccessToken(`${srv.url}/oauth/token`, basic(s), {
    grant_type: 'client_credentials',
    ...(resource ? { resource } : {}),
  });

/** Introspection (RFC 7662) of an active `token` by the client `by`. */
const introspection = (
  name: string,
  srv: Server,
  by: { clientId: string; secret: string },
  token: string,
): LoadSpec => ({
  name,
  url: srv.url,
  method: 'POST',
  path: '/oauth/introspect',
  headers: { authorization: basic(by), 'content-type': FORM },
  body: `token=${token}&token_type_hint=access_token`,
  verify: (b) => b.includes('"active":true'),
  seconds: SECONDS,
  connections: CONNECTIONS,
});

async function load(spec: LoadSpec, svc: Services, srv: Server): Promise<LoadResult> {
  checkpoint();
  log(`${spec.name}: ${spec.seconds}s, ${spec.connections} connections`);
  const cpu = startCpuAccounting({ serverPid: srv.child.pid, ...svc });
  const r = await runLoad(spec);
  r.cpu = cpu(r.requests);
  checkpoint();
  log(`${spec.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, bad ${r.bad}`);
  return r;
}

/** What the scenarios on one server share: the stack, its services and seed, the rows so far. */
interface Run {
  stack: Stack;
  svc: Services;
  s: Seeded;
  raw: RawRates;
  rows: Row[];
}

/** A server on `keys`, warmed up with client_credentials, for `scenarios`; then stopped. */
async function onServer(
  { stack, svc, s }: Run,
  name: string,
  keys: string,
  scenarios: (srv: Server) => Promise<void>,
): Promise<void> {
  const srv = await startServer(stack, name, serverEnv(svc, keys, stack.dir));
  try {
    await load(clientCredentials('warm-up', srv, s, WARMUP_SECONDS), svc, srv);
    await scenarios(srv);
  } finally {
    reportOutput(srv);
    await srv.stop();
  }
}

/** One RS256-4096 server: client_credentials, refresh rotation, introspection, /me. */
const primaryServer = (run: Run, keys: string): Promise<void> =>
  onServer(run, 'rs4096', keys, async (srv) => {
    const { svc, s, raw, rows } = run;
    if (SCENARIOS.has('cc4096')) {
      const r = await load(clientCredentials('client_credentials RS256-4096', srv, s), svc, srv);
      rows.push(loadRow(r, signTarget(r, raw.rs256_4096, 0.9, true)));
    }
    if (SCENARIOS.has('refresh')) {
      const pool = [...s.refreshTokens];
      let starved = 0;
      const r = await load(
        {
          name: 'refresh_token rotation (RS256-4096)',
          url: srv.url,
          method: 'POST',
          path: '/oauth/token',
          headers: { authorization: basic(s), 'content-type': FORM },
          ...refreshRotation(pool, () => starved++),
          seconds: SECONDS,
          connections: CONNECTIONS,
        },
        svc,
        srv,
      );
      const row = loadRow(r);
      if (starved) row.notes.push(`refresh pool ran dry ${starved}×`);
      rows.push(row);
    }
    const token = await accessToken(srv, s);
    if (SCENARIOS.has('introspect')) {
      const r = await load(
        introspection('introspection (active RS256-4096 token)', srv, s, token),
        svc,
        srv,
      );
      rows.push(loadRow(r));
    }
    if (SCENARIOS.has('introspect-rs')) {
      const rs = s.resourceServer;
      const forRs = await accessToken(srv, s, rs.identifier);
      const name = 'introspection by a resource server (RFC 7662 §4, RS256-4096 token)';
      const r = await load(introspection(name, srv, rs, forRs), svc, srv);
      rows.push(loadRow(r));
    }
    if (SCENARIOS.has('me')) {
      const r = await load(
        {
          name: 'GET /api/v1/me bearer (RS256-4096)',
          url: srv.url,
          method: 'GET',
          path: '/api/v1/me',
          headers: { authorization: `Bearer ${token}` },
          verify: (b) => b.includes('"sub"'),
          seconds: SECONDS,
          connections: CONNECTIONS,
        },
        svc,
        srv,
      );
      rows.push(loadRow(r));
    }
  });

const secondaryServer = (run: Run, keys: string): Promise<void> =>
  onServer(run, 'rs2048', keys, async (srv) => {
    const { svc, s, raw, rows } = run;
    const r = await load(clientCredentials('client_credentials RS256-2048', srv, s), svc, srv);
    rows.push(loadRow(r, signTarget(r, raw.rs256_2048, 0.6, false)));
  });

async function twoNodes(
  stack: Stack,
  svc: Services,
  keys: string,
  s: Seeded,
): Promise<PropagationResult> {
  const [node1, node2] = await Promise.all([
    startServer(stack, 'node1', serverEnv(svc, keys, stack.dir)),
    startServer(stack, 'node2', serverEnv(svc, keys, stack.dir)),
  ]);
  try {
    checkpoint();
    log(`revocation: ${REVOCATIONS} tokens revoked on node 1, checked on node 2`);
    const p = await measurePropagation({
      node1: node1.url,
      node2: node2.url,
      authorization: basic(s),
      tokens: REVOCATIONS,
    });
    log(`revocation: p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms`);
    return p;
  } finally {
    reportOutput(node1);
    reportOutput(node2);
    await Promise.all([node1.stop(), node2.stop()]);
  }
}

/** At LOG_LEVEL=warn a quiet server prints nothing; anything it did print is worth seeing. */
function reportOutput(srv: Server): void {
  const out = srv.output().trim();
  if (out) log(`server ${srv.name} printed:\n${out.split('\n').slice(-20).join('\n')}`);
}

async function main(stack: Stack): Promise<number> {
  const started = Date.now();
  const loadBefore = os.loadavg();
  log(`cores ${os.availableParallelism()}, load average ${loadBefore.map((l) => l.toFixed(2))}`);
  const [svc, k4096, k2048] = await Promise.all([
    startServices(stack),
    keyDir(stack, 4096),
    keyDir(stack, 2048),
  ]);
  checkpoint();
  log(`raw single-thread RS256 sign rate (${RAW_SECONDS}s each)`);
  const raw: RawRates = {
    rs256_4096: rawRs256PerSecond(k4096.material.privateKey!, RAW_SECONDS),
    rs256_2048: rawRs256PerSecond(k2048.material.privateKey!, RAW_SECONDS),
  };
  checkpoint();
  const seeded = await seed(svc, k4096.dir, stack.dir, CONNECTIONS * 4);
  log(`seeded client ${seeded.clientId} and ${seeded.refreshTokens.length} refresh tokens`);

  const rows: Row[] = [];
  const run: Run = { stack, svc, s: seeded, raw, rows };
  if (PRIMARY.some((k) => SCENARIOS.has(k))) await primaryServer(run, k4096.dir);
  if (SCENARIOS.has('cc2048')) await secondaryServer(run, k2048.dir);
  let propagation: PropagationResult | undefined;
  if (SCENARIOS.has('revocation')) {
    propagation = await twoNodes(stack, svc, k4096.dir, seeded);
    rows.push(propagationRow(propagation));
  }

  let comparisons: Comparison[] = [];
  if (SCENARIOS.has('peer')) {
    comparisons = await compareWithPeer(stack, svc, seeded, {
      seconds: SECONDS,
      connections: CONNECTIONS,
      warmupSeconds: WARMUP_SECONDS,
      logLevels: PEER_LOG_LEVELS,
      cases: PEER_CASES.filter((c) => PEER_CASE_IDS.has(c.id)),
      checkpoint,
    });
  }

  const loadAfter = os.loadavg();
  const header = [
    `raw single-thread sign rate (this run): RS256-4096 ${raw.rs256_4096.toFixed(0)}/s, RS256-2048 ${raw.rs256_2048.toFixed(0)}/s`,
    `${os.availableParallelism()} cores, node ${process.version}, ${CONNECTIONS} connections, ${SECONDS}s per scenario; load average before ${loadBefore[0]!.toFixed(2)}, after ${loadAfter[0]!.toFixed(2)}`,
  ];
  const peerTable = comparisons.length
    ? `\nTessera next to node-oidc-provider ${peerVersion()} (same algorithm, same load, one after the other):\n\n${comparisonMarkdown(comparisons)}\n`
    : '';
  process.stdout.write(
    `\n${header.join('\n')}\n\n${markdown(rows)}\n\n${cpuMarkdown(rows)}\n${peerTable}`,
  );
  const failed = rows.filter((r) => r.pass === false);
  const file = writeResults('bench-results.json', 'http', {
    node: process.version,
    cores: os.availableParallelism(),
    load_average: { before: loadBefore, after: loadAfter },
    connections: CONNECTIONS,
    seconds_per_scenario: SECONDS,
    raw_single_thread_sign_per_s: raw,
    rows: rows.map(({ load: l, ...r }) => ({ ...r, detail: l })),
    revocation_ms: propagation?.samples,
    peer_comparisons: comparisons.map((c) => ({
      scenario: c.scenario,
      log_level: c.logLevel,
      ratio: c.ratio,
      tessera: c.tessera,
      peer: c.peer,
    })),
    wall_seconds: (Date.now() - started) / 1000,
    passed: failed.length === 0,
  });
  log(`results in ${path.relative(process.cwd(), file) || file}`);
  if (failed.length) {
    process.stderr.write(
      `\n[bench] FAILED: ${failed.map((r) => `${r.scenario}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`).join(', ')}\n`,
    );
    return 1;
  }
  return 0;
}

runBench(main);
