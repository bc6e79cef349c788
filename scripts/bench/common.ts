/** What every bench script reads, sends and writes the same way. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { gitCommit } from './bench-stack';
import type { LoadResult, LoadSpec } from './load';

/** The repository root, where bench-results*.json go (the scripts run from dist/scripts/bench). */
export const ROOT = path.resolve(__dirname, '../../..');
export const FORM = 'application/x-www-form-urlencoded';

/** A BENCH_* knob: the number in the environment, or the default the script documents. */
export const envNumber = (name: string, fallback: number): number =>
  Number(process.env[name] ?? fallback);

/** client_secret_basic (RFC 6749 §2.3.1: id and secret form-encoded before base64). */
export const basicAuth = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** POST an x-www-form-urlencoded body with the given Authorization header. */
export const postForm = (
  url: string,
  authorization: string,
  body: Record<string, string> | string,
): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': FORM },
    body: typeof body === 'string' ? body : new URLSearchParams(body).toString(),
  });

/** An access token from a token endpoint (client_credentials unless `body` says otherwise). */
export async function fetchAccessToken(
  url: string,
  authorization: string,
  body: Record<string, string> | string = 'grant_type=client_credentials',
): Promise<string> {
  const r = await postForm(url, authorization, body);
  if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

/** bench-results-….json in the repository root: which bench, when, at which commit, then `data`. */
export function writeResults(file: string, bench: string, data: Record<string, unknown>): string {
  const full = path.join(ROOT, file);
  const results = { bench, date: new Date().toISOString(), commit: gitCommit(), ...data };
  writeFileSync(full, `${JSON.stringify(results, null, 2)}\n`);
  return full;
}

/** A markdown table of loads: scenario, req/s, p50, p99, bad; the scenario column `width` wide. */
export const loadTable = (width: number, loads: LoadResult[]): string[] => [
  `| ${'scenario'.padEnd(width)} | req/s |  p50 |  p99 | bad |`,
  `| ${'-'.repeat(width)} | ----: | ---: | ---: | --: |`,
  ...loads.map(
    (r) =>
      `| ${r.name.padEnd(width)} | ${r.rps.toFixed(0).padStart(5)} | ${String(r.p50).padStart(4)} | ${String(r.p99).padStart(4)} | ${String(r.bad).padStart(3)} |`,
  ),
];

/** Exit code of a bench whose only target is no bad answer. */
export const exitCode = (loads: LoadResult[]): number => (loads.some((r) => r.bad > 0) ? 1 : 0);

/** A client_credentials load at `url`'s token endpoint, authenticated with `authorization`. */
export const clientCredentialsLoad = (
  name: string,
  url: string,
  authorization: string,
  seconds: number,
  connections: number,
): LoadSpec => ({
  name,
  url,
  method: 'POST',
  path: '/oauth/token',
  headers: { authorization, 'content-type': FORM },
  body: 'grant_type=client_credentials',
  verify: (b) => b.includes('"access_token"'),
  seconds,
  connections,
});

/**
 * The body of a refresh_token rotation load: every rotation consumes one token of `pool` and
 * yields its successor, so the pool never repeats. `onStarved` hears of a request the empty
 * pool had no token for.
 */
export const refreshRotation = (
  pool: string[],
  onStarved?: () => void,
): Pick<LoadSpec, 'nextBody' | 'onResponse' | 'verify'> => ({
  nextBody: () => {
    const t = pool.pop();
    if (t === undefined) onStarved?.();
    return t && `grant_type=refresh_token&refresh_token=${encodeURIComponent(t)}`;
  },
  onResponse: (status, body) => {
    const m = status === 200 ? /"refresh_token":"([^"]+)"/.exec(body) : null;
    if (m) pool.push(m[1]!);
  },
  verify: (b) => b.includes('"refresh_token"'),
});

/** `fn` on a connection as the owner role (the app role cannot write across tenants). */
export async function asOwner<T>(ownerUrl: string, fn: (pg: Client) => Promise<T>): Promise<T> {
  const pg = new Client({ connectionString: ownerUrl });
  await pg.connect();
  try {
    return await fn(pg);
  } finally {
    await pg.end();
  }
}

/** One transaction on the cross-tenant path (RLS lets the owner past tenant scoping). */
export async function crossTenant(pg: Client, fn: () => Promise<unknown>): Promise<void> {
  await pg.query('BEGIN');
  await pg.query(`SELECT set_config('app.cross_tenant', 'on', true)`);
  await fn();
  await pg.query('COMMIT');
}
