import { postForm } from './common';
import { bearerStatus, latencies, revokeUntilRefused } from './revocation';

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
  const call = (token: string) => bearerStatus(`${opts.api}${opts.route}`, token);
  for (let i = 0; i < opts.revocations; i++) {
    const issued = await postForm(`${opts.tessera}/oauth/token`, opts.authorization, {
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
    const { status, ms } = await revokeUntilRefused(
      `${opts.tessera}/oauth/revoke`,
      opts.authorization,
      { token },
      () => call(token),
      DEADLINE_MS,
    );
    if (status === 401) samples.push(ms);
    else failureReasons.push(`after ${status}`);
  }
  return {
    revocations: opts.revocations,
    ...latencies(samples),
    failures: failureReasons.length,
    failureReasons,
  };
}
