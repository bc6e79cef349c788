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

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const DEADLINE_MS = 5_000;

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
  const me = (token: string) =>
    fetch(`${opts.node2}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then(
      async (r) => (await r.arrayBuffer(), r.status),
    );
  const form = (url: string, body: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: {
        authorization: opts.authorization,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(body).toString(),
    });

  for (let i = 0; i < opts.tokens; i++) {
    const issued = await form(`${opts.node1}/oauth/token`, { grant_type: 'client_credentials' });
    if (issued.status !== 200) throw new Error(`node 1 issued no token: ${issued.status}`);
    const { access_token: token } = (await issued.json()) as { access_token: string };
    if ((await me(token)) !== 200) {
      failures++;
      continue;
    }
    const revoked = await form(`${opts.node1}/oauth/revoke`, {
      token,
      token_type_hint: 'access_token',
    });
    await revoked.arrayBuffer();
    const t0 = performance.now();
    if (revoked.status !== 200) throw new Error(`node 1 refused the revocation: ${revoked.status}`);
    let status = await me(token);
    while (status === 200 && performance.now() - t0 < DEADLINE_MS) status = await me(token);
    if (status === 401) samples.push(performance.now() - t0);
    else failures++;
  }
  samples.sort((a, b) => a - b);
  return {
    tokens: opts.tokens,
    samples,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.at(-1) ?? NaN,
    failures,
  };
}
