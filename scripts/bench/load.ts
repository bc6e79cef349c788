import autocannon from 'autocannon';
import type { CpuBreakdown } from './cpu';

export interface LoadSpec {
  name: string;
  /** Base URL of the server under test. */
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** A body built per request (refresh tokens are single-use). */
  nextBody?: () => string | undefined;
  onResponse?: (status: number, body: string) => void;
  /** A 200 that is not the answer we asked for counts as an error too. */
  verify: (body: string) => boolean;
  seconds: number;
  connections: number;
}

export interface LoadResult {
  name: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Non-2xx answers, socket errors, timeouts and 2xx answers that failed `verify`. */
  bad: number;
  badRate: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  mismatches: number;
  cpu?: CpuBreakdown;
}

let running: autocannon.Instance | undefined;

/** Stops the load in progress (Ctrl-C): its partial result is discarded. */
export function stopLoad(): void {
  running?.stop();
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path,
    headers: spec.headers,
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  };
  const { nextBody, onResponse } = spec;
  if (nextBody) {
    request.setupRequest = (req) => {
      const body = nextBody();
      // Falsy would make autocannon restart its request list: send something refusable instead.
      return { ...req, body: body ?? 'grant_type=refresh_token&refresh_token=pool-empty' };
    };
  }
  if (onResponse) request.onResponse = (status, body) => onResponse(status, body);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        pipelining: 1,
        duration: spec.seconds,
        timeout: 10,
        requests: [request],
        verifyBody: (body) => spec.verify(String(body)),
      },
      (err, r) => {
        running = undefined;
        if (err) return reject(err);
        const statusCodes: Record<string, number> = {};
        for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) {
          statusCodes[code] = s.count ?? 0;
        }
        const bad = r.non2xx + r.errors + r.timeouts + r.mismatches;
        const attempts = r.requests.total + r.errors + r.timeouts;
        resolve({
          name: spec.name,
          requests: r.requests.total,
          seconds: r.duration,
          rps: r.requests.total / r.duration,
          p50: r.latency.p50,
          p90: r.latency.p90,
          p99: r.latency.p99,
          max: r.latency.max,
          bad,
          badRate: attempts ? bad / attempts : 1,
          statusCodes,
          errors: r.errors,
          timeouts: r.timeouts,
          mismatches: r.mismatches,
        });
      },
    );
    running = instance;
  });
}
