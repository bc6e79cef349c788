import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSigningKey } from '@tessera/infrastructure/crypto/key-generator';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { log, serverEnv, startServer, type Server, type Services, type Stack } from './bench-stack';
import { FORM, basicAuth } from './common';
import { startCpuAccounting, type CpuBreakdown } from './cpu';
import { runLoad, type LoadResult, type LoadSpec } from './load';
import { startPeer } from './peer';
import type { Seeded } from './seed';

/**
 * Tessera next to node-oidc-provider in the same run: the same algorithm and key size, the same
 * load (connections, seconds) against each in turn, CPU per request from /proc for both.
 */
export interface Comparison {
  scenario: string;
  target: CompareCase['target'];
  logLevel: string;
  tessera: LoadResult;
  peer: LoadResult;
  ratio: number;
  /** Every round's ratio, when there were several (the reported round is the median). */
  rounds?: number[];
}

export interface CompareOptions {
  seconds: number;
  connections: number;
  warmupSeconds: number;
  logLevels: string[];
  cases: CompareCase[];
  /** Turns each server takes (BENCH_PEER_ROUNDS); the median round is reported. */
  rounds?: number;
  checkpoint: () => void;
}

export interface CompareCase {
  id: string;
  alg: SigningAlg;
  bits?: number;
  /** client_credentials, or introspection of an active token. */
  kind: 'token' | 'introspect';
  /** Tessera ÷ peer throughput to reach; `tail`: p99 no worse than the peer's too. */
  target: { ratio: number; tail?: boolean };
}

const label = (c: CompareCase) => (c.alg === 'RS256' ? `RS256-${c.bits ?? 2048}` : c.alg);

async function keysFor(stack: Stack, c: CompareCase): Promise<string> {
  const dir = path.join(stack.dir, `cmp-keys-${c.id}`);
  mkdirSync(dir, { mode: 0o700, recursive: true });
  const key = await generateSigningKey(c.alg, c.bits ?? 2048);
  writeFileSync(path.join(dir, `${key.material.kid}.pem`), key.privatePem, { mode: 0o600 });
  return dir;
}

async function token(url: string, path_: string, auth: string): Promise<string> {
  const r = await fetch(`${url}${path_}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': FORM },
    body: 'grant_type=client_credentials',
  });
  if (r.status !== 200) throw new Error(`${url}${path_} answered ${r.status}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

/** Rate limits on, as in production, but far above what the load generator sends. */
const RATE_LIMITS_ABOVE_LOAD = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_ANONYMOUS: '100000000',
  RATE_LIMIT_AUTHENTICATED: '100000000',
  RATE_LIMIT_TOKEN: '100000000',
};

function spec(
  name: string,
  srv: { url: string },
  c: CompareCase,
  auth: string,
  paths: { token: string; introspect: string },
  seconds: number,
  connections: number,
  at?: string,
): LoadSpec {
  if (c.kind === 'introspect')
    return {
      name,
      url: srv.url,
      method: 'POST',
      path: paths.introspect,
      headers: { authorization: auth, 'content-type': FORM },
      body: `token=${at}&token_type_hint=access_token`,
      verify: (b) => b.includes('"active":true'),
      seconds,
      connections,
    };
  return {
    name,
    url: srv.url,
    method: 'POST',
    path: paths.token,
    headers: { authorization: auth, 'content-type': FORM },
    body: 'grant_type=client_credentials',
    verify: (b) => b.includes('"access_token"'),
    seconds,
    connections,
  };
}

async function measure(
  srv: Server,
  svc: Partial<Services>,
  s: LoadSpec,
  warmup: number,
): Promise<LoadResult> {
  await runLoad({ ...s, name: 'warm-up', seconds: warmup });
  log(`${s.name}: ${s.seconds}s, ${s.connections} connections`);
  const cpu = startCpuAccounting({ serverPid: srv.child.pid, ...svc });
  const r = await runLoad(s);
  r.cpu = cpu(r.requests);
  log(`${s.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, bad ${r.bad}`);
  return r;
}

/** One server under test: how to ask it, and its process for CPU accounting. */
interface Contender {
  srv: Server;
  svc: Partial<Services>;
  spec: LoadSpec;
}

async function tesseraFor(
  stack: Stack,
  svc: Services,
  s: Seeded,
  c: CompareCase & { keys: string },
  level: string,
  name: string,
  o: CompareOptions,
): Promise<Contender> {
  const srv = await startServer(stack, `cmp-${c.id}-${level}`, {
    ...serverEnv(svc, c.keys, stack.dir),
    ...RATE_LIMITS_ABOVE_LOAD,
    LOG_LEVEL: level,
  });
  const auth = basicAuth(s.clientId, s.secret);
  const paths = { token: '/oauth/token', introspect: '/oauth/introspect' };
  const at = c.kind === 'introspect' ? await token(srv.url, paths.token, auth) : undefined;
  const name_ = `tessera ${name} (${level})`;
  return { srv, svc, spec: spec(name_, srv, c, auth, paths, o.seconds, o.connections, at) };
}

async function peerFor(stack: Stack, c: CompareCase, name: string, o: CompareOptions) {
  const peer = await startPeer(stack, `peer-${c.id}`, {
    alg: c.alg as 'RS256' | 'ES256' | 'EdDSA',
    bits: c.bits,
    format: c.kind === 'introspect' ? 'opaque' : 'jwt',
  });
  const auth = basicAuth(peer.clientId, peer.clientSecret);
  const paths = { token: '/token', introspect: '/token/introspection' };
  const at = c.kind === 'introspect' ? await token(peer.url, paths.token, auth) : undefined;
  const name_ = `node-oidc-provider ${name}`;
  return {
    srv: peer,
    svc: {},
    spec: spec(name_, peer, c, auth, paths, o.seconds, o.connections, at),
  } satisfies Contender;
}

const median = <T>(xs: T[], by: (x: T) => number): T =>
  [...xs].sort((a, b) => by(a) - by(b))[Math.floor((xs.length - 1) / 2)]!;

/**
 * Both servers stay up and take the load in turn, `rounds` times; the round with the median
 * ratio is reported. On a shared machine the load of other jobs changes by the minute: turns
 * close together see the same machine, one long turn each would not.
 */
export async function compareWithPeer(
  stack: Stack,
  svc: Services,
  s: Seeded,
  o: CompareOptions,
): Promise<Comparison[]> {
  const out: Comparison[] = [];
  for (const c of o.cases) {
    const name = `${c.kind === 'token' ? 'client_credentials' : 'introspection'} ${label(c)}`;
    o.checkpoint();
    const keys = await keysFor(stack, c);
    // The peer logs nothing per request at any level: one peer serves every level.
    const peer = await peerFor(stack, c, name, o);
    try {
      for (const level of o.logLevels) {
        o.checkpoint();
        const tessera = await tesseraFor(stack, svc, s, { ...c, keys }, level, name, o);
        try {
          const rounds: Comparison[] = [];
          for (let i = 0; i < Math.max(1, o.rounds ?? 1); i++) {
            o.checkpoint();
            const t = await measure(tessera.srv, tessera.svc, tessera.spec, o.warmupSeconds);
            const p = await measure(peer.srv, peer.svc, peer.spec, o.warmupSeconds);
            const ratio = t.rps / Math.max(p.rps, 1e-9);
            log(`${name} (${level}) round ${i + 1}: ratio ${ratio.toFixed(2)}`);
            rounds.push({
              scenario: name,
              target: c.target,
              logLevel: level,
              tessera: t,
              peer: p,
              ratio,
            });
          }
          const chosen = median(rounds, (r) => r.ratio);
          out.push({ ...chosen, rounds: rounds.map((r) => Number(r.ratio.toFixed(2))) });
        } finally {
          await tessera.srv.stop();
        }
      }
    } finally {
      await peer.srv.stop();
    }
  }
  return out;
}

const cpuTotal = (c?: CpuBreakdown) =>
  c ? c.perRequestMs.server_main + c.perRequestMs.server_other_threads : NaN;
/** Server process, then what its Postgres and Redis spent for it: the peer needs neither. */
function tesseraCpu(c?: CpuBreakdown): string {
  if (!c) return '—';
  const m = c.perRequestMs;
  const all = cpuTotal(c) + m.postgres + m.redis;
  return `${f(cpuTotal(c), 2)} (${m.server_main.toFixed(2)} + ${m.server_other_threads.toFixed(2)}); ${all.toFixed(2)} with Postgres ${m.postgres.toFixed(2)}, Redis ${m.redis.toFixed(2)}`;
}
const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');

function targetText(r: Comparison): string {
  const met = r.ratio >= r.target.ratio && (!r.target.tail || r.tessera.p99 <= r.peer.p99);
  const clean = r.tessera.bad === 0 && r.peer.bad === 0;
  const text = `≥ ${r.target.ratio}×${r.target.tail ? ", p99 ≤ peer's" : ''}`;
  return `${text}: ${!clean ? 'errors' : met ? 'met' : 'missed'}`;
}

export function comparisonMarkdown(rows: Comparison[]): string {
  const lines = [
    '| scenario | LOG_LEVEL | Tessera req/s (p50 / p99 ms) | node-oidc-provider req/s (p50 / p99 ms) | ratio (rounds) | target | Tessera CPU ms/req: server (main + threads); with Postgres, Redis | peer CPU ms/req |',
    '|---|---|---:|---:|---:|---|---:|---:|',
  ];
  for (const r of rows) {
    const t = r.tessera;
    const p = r.peer;
    lines.push(
      `| ${r.scenario} | ${r.logLevel} | ${f(t.rps)} (${t.p50} / ${t.p99})${t.bad ? ` bad ${t.bad}` : ''} | ${f(p.rps)} (${p.p50} / ${p.p99})${p.bad ? ` bad ${p.bad}` : ''} | **${r.ratio.toFixed(2)}×**${r.rounds && r.rounds.length > 1 ? ` (${r.rounds.join(', ')})` : ''} | ${targetText(r)} | ${tesseraCpu(t.cpu)} | ${f(cpuTotal(p.cpu), 2)} |`,
    );
  }
  return lines.join('\n');
}

/** The installed node-oidc-provider's version, for the table's caption. */
export function peerVersion(): string {
  const file = path.resolve(__dirname, '../../../node_modules/oidc-provider/package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
