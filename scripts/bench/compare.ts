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
}

export interface CompareOptions {
  seconds: number;
  connections: number;
  warmupSeconds: number;
  logLevels: string[];
  cases: CompareCase[];
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

export async function compareWithPeer(
  stack: Stack,
  svc: Services,
  s: Seeded,
  o: CompareOptions,
): Promise<Comparison[]> {
  const out: Comparison[] = [];
  for (const c of o.cases) {
    const keys = await keysFor(stack, c);
    for (const level of o.logLevels) {
      o.checkpoint();
      const name = `${c.kind === 'token' ? 'client_credentials' : 'introspection'} ${label(c)}`;
      const srv = await startServer(stack, `cmp-${c.id}-${level}`, {
        ...serverEnv(svc, keys, stack.dir),
        LOG_LEVEL: level,
      });
      let tessera: LoadResult;
      try {
        const auth = basicAuth(s.clientId, s.secret);
        const paths = { token: '/oauth/token', introspect: '/oauth/introspect' };
        const at = c.kind === 'introspect' ? await token(srv.url, paths.token, auth) : undefined;
        tessera = await measure(
          srv,
          svc,
          spec(`tessera ${name} (${level})`, srv, c, auth, paths, o.seconds, o.connections, at),
          o.warmupSeconds,
        );
      } finally {
        await srv.stop();
      }
      o.checkpoint();
      // The peer logs nothing per request at any level: one run of it serves both comparisons.
      const peer = await startPeer(stack, `peer-${c.id}`, {
        alg: c.alg as 'RS256' | 'ES256' | 'EdDSA',
        bits: c.bits,
        format: c.kind === 'introspect' ? 'opaque' : 'jwt',
      });
      let peerResult: LoadResult;
      try {
        const auth = basicAuth(peer.clientId, peer.clientSecret);
        const paths = { token: '/token', introspect: '/token/introspection' };
        const at = c.kind === 'introspect' ? await token(peer.url, paths.token, auth) : undefined;
        peerResult = await measure(
          peer,
          {},
          spec(`node-oidc-provider ${name}`, peer, c, auth, paths, o.seconds, o.connections, at),
          o.warmupSeconds,
        );
      } finally {
        await peer.stop();
      }
      out.push({
        scenario: name,
        target: c.target,
        logLevel: level,
        tessera,
        peer: peerResult,
        ratio: tessera.rps / Math.max(peerResult.rps, 1e-9),
      });
    }
  }
  return out;
}

const cpuTotal = (c?: CpuBreakdown) =>
  c ? c.perRequestMs.server_main + c.perRequestMs.server_other_threads : NaN;
const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');

function targetText(r: Comparison): string {
  const met = r.ratio >= r.target.ratio && (!r.target.tail || r.tessera.p99 <= r.peer.p99);
  const clean = r.tessera.bad === 0 && r.peer.bad === 0;
  const text = `≥ ${r.target.ratio}×${r.target.tail ? ", p99 ≤ peer's" : ''}`;
  return `${text}: ${!clean ? 'errors' : met ? 'met' : 'missed'}`;
}

export function comparisonMarkdown(rows: Comparison[]): string {
  const lines = [
    '| scenario | LOG_LEVEL | Tessera req/s (p50 / p99 ms) | node-oidc-provider req/s (p50 / p99 ms) | ratio | target | Tessera CPU ms/req (main + threads; Postgres) | peer CPU ms/req |',
    '|---|---|---:|---:|---:|---|---:|---:|',
  ];
  for (const r of rows) {
    const t = r.tessera;
    const p = r.peer;
    const tc = t.cpu?.perRequestMs;
    lines.push(
      `| ${r.scenario} | ${r.logLevel} | ${f(t.rps)} (${t.p50} / ${t.p99})${t.bad ? ` bad ${t.bad}` : ''} | ${f(p.rps)} (${p.p50} / ${p.p99})${p.bad ? ` bad ${p.bad}` : ''} | **${r.ratio.toFixed(2)}×** | ${targetText(r)} | ${f(cpuTotal(t.cpu), 2)}${tc ? ` (${tc.server_main.toFixed(2)} + ${tc.server_other_threads.toFixed(2)}; ${tc.postgres.toFixed(2)})` : ''} | ${f(cpuTotal(p.cpu), 2)} |`,
    );
  }
  return lines.join('\n');
}

/** The installed node-oidc-provider's version, for the table's caption. */
export function peerVersion(): string {
  const file = path.resolve(__dirname, '../../../node_modules/oidc-provider/package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
