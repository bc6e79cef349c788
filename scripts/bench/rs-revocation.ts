import { percentile } from './revocation';

export interface RsRevocationResult {
  revocations: number;
  /** Milliseconds from Tessera's RFC 7009 answer to the API's first 401, sorted. */
  samples: number[];
  p50: number;
  p99: number;
  max: number;
  /** Tokens the API refused before the revocation, or still accepted after the deadline. */
  failures: number;
  /** Why each failure: `before <status>` or `after <status>`. */
  failureReasons: string[];
}

const DEADLINE_MS = 10_000;

/**
 * For each token (resource = the API): the API accepts it, Tessera revokes it (RFC 7009), then
 * the API is asked back to back until it answers 401. One token at a time, so each sample is one
 * revocation's own journey: denylist commit → feed long poll wakes → SET verified → replica.
 */
export async function measureRsRevocation(opts: {
  tessera: string;
  api: string;
  route: string;
  authorization: string;
  resource: string;
  revocations: number;
}): Promise<RsRevocationResult> {
  const samples: number[] = [];
  const failureReasons: string[] = [];
  const call = (token: string) =>
    fetch(`${opts.api}${opts.route}`, { headers: { authorization: `Bearer ${token}` } }).then(
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
  for (let i = 0; i < opts.revocations; i++) {
    const issued = await form(`${opts.tessera}/oauth/token`, {
      grant_type: 'client_credentials',
      scope: 'read',
      resource: opts.resource,
    });
    if (issued.status !== 200) throw new Error(`Tessera issued no token: ${issued.status}`);
    const { access_token: token } = (await issued.json()) as { access_token: string };
    const before = await call(token);
    if (before !== 200) {
      failureReasons.push(`before ${before}`);
      continue;
    }
    const revoked = await form(`${opts.tessera}/oauth/revoke`, { token });
    await revoked.arrayBuffer();
    const t0 = performance.now();
    if (revoked.status !== 200)
      throw new Error(`Tessera refused the revocation: ${revoked.status}`);
    let status = await call(token);
    while (status === 200 && performance.now() - t0 < DEADLINE_MS) status = await call(token);
    if (status === 401) samples.push(performance.now() - t0);
    else failureReasons.push(`after ${status}`);
  }
  samples.sort((a, b) => a - b);
  return {
    revocations: opts.revocations,
    samples,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.at(-1) ?? NaN,
    failures: failureReasons.length,
    failureReasons,
  };
}
