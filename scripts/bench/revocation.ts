export interface PropagationResult {
  tokens: number;
  /** Milliseconds from node 1's revoke response to node 2's first 401, sorted. */
  samples: number[];
  p50: number;
  p99: number;
  max: number;
  /** Tokens node 2 still accepted after the deadline, or that misbehaved before the revoke. */
  failures: number;
}

import { postForm } from './common';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const DEADLINE_MS = 5_000;

/** GET with a bearer token: the status, the body drained. */
export const bearerStatus = (url: string, token: string): Promise<number> =>
  fetch(url, { headers: { authorization: `Bearer ${token}` } }).then(
    async (r) => (await r.arrayBuffer(), r.status),
  );

/**
 * RFC 7009 revocation of `token` at `url`, then `call` back to back until it stops answering
 * 200 or `deadlineMs` passes: the status it ended on, and the milliseconds from the revoke
 * response to it.
 */
export async function revokeUntilRefused(
  url: string,
  authorization: string,
  body: Record<string, string>,
  call: () => Promise<number>,
  deadlineMs: number,
): Promise<{ status: number; ms: number }> {
  const revoked = await postForm(url, authorization, body);
  await revoked.arrayBuffer();
  const t0 = performance.now();
  if (revoked.status !== 200) throw new Error(`${url} refused the revocation: ${revoked.status}`);
  let status = await call();
  while (status === 200 && performance.now() - t0 < deadlineMs) status = await call();
  return { status, ms: performance.now() - t0 };
}

/** Samples sorted, with their p50, p99 and max. */
export function latencies(samples: number[]) {
  samples.sort((a, b) => a - b);
  return {
    samples,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.at(-1) ?? NaN,
  };
}

/**
 * For each token: node 2 accepts it (its replica now has a verdict to drop), node 1 revokes
 * it (RFC 7009), then node 2 is asked again and again, back to back, until it answers 401.
 * One token at a time, so each sample is one revocation's own journey.
 */
export async function measurePropagation(opts: {
  node1: string;
  node2: string;
  authorization: string;
  tokens: number;
}): Promise<PropagationResult> {
  const samples: number[] = [];
  let failures = 0;
  const me = (token: string) => bearerStatus(`${opts.node2}/api/v1/me`, token);

  for (let i = 0; i < opts.tokens; i++) {
    const issued = await postForm(`${opts.node1}/oauth/token`, opts.authorization, {
      grant_type: 'client_credentials',
    });
    if (issued.status !== 200) throw new Error(`node 1 issued no token: ${issued.status}`);
    const { access_token: token } = (await issued.json()) as { access_token: string };
    if ((await me(token)) !== 200) {
      failures++;
      continue;
    }
    const { status, ms } = await revokeUntilRefused(
      `${opts.node1}/oauth/revoke`,
      opts.authorization,
      { token, token_type_hint: 'access_token' },
      () => me(token),
      DEADLINE_MS,
    );
    if (status === 401) samples.push(ms);
    else failures++;
  }
  return { tokens: opts.tokens, ...latencies(samples), failures };
}
