import { createRemoteJWKSet, customFetch, type JWK, type JWTHeaderParameters } from 'jose';
import { assertKeyAlgorithm, type KeyForKid } from './verification-rules';

export interface JwksOptions {
  defaultMaxAgeSeconds: number;
  cooldownSeconds: number;
  fetch: typeof fetch;
  onRefreshError?: (e: unknown) => void;
}

/** At most a day: a JWKS that claims to be good for a year is still refetched daily. */
const MAX_AGE_CAP_SECONDS = 86_400;

export function maxAgeOf(cacheControl: string | null): number | undefined {
  if (!cacheControl) return undefined;
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/i.test(cacheControl)) return 0;
  const m = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  return m ? Math.min(Number(m[1]), MAX_AGE_CAP_SECONDS) : undefined;
}

/**
 * The issuer's JWKS via jose's remote set (one fetch in flight, an unknown kid refetches at most
 * once per cooldown). jose's cacheMaxAge is fixed at creation, so it is set to Infinity and the
 * JWKS response's own Cache-Control max-age drives a background refresh instead: stale keys keep
 * verifying while the refresh runs or fails (an outage at Tessera does not stop verification;
 * the revocation feed's fail-closed bound decides how long that may last).
 */
export interface RemoteKeys extends KeyForKid {
  ready(): Promise<void>;
  /** The kid is in the JWKS as last fetched (a removed key ends cached verifications); also
   * starts the background refresh when the JWKS is past its max-age. */
  publishes(kid: string): boolean;
  /** The JWK of a kid as last fetched (attestation checks read its extra members). */
  jwk(kid: string): JWK | undefined;
}

export function remoteKeys(uri: string, opts: JwksOptions): RemoteKeys {
  let maxAgeMs = opts.defaultMaxAgeSeconds * 1000;
  let fetchedAt = 0;
  let kids = new Set<string>();
  const remote = createRemoteJWKSet(new URL(uri), {
    cacheMaxAge: Infinity,
    cooldownDuration: opts.cooldownSeconds * 1000,
    timeoutDuration: 10_000,
    [customFetch]: async (url, init) => {
      const res = await opts.fetch(url, init);
      if (res.status === 200) {
        const age = maxAgeOf(res.headers.get('cache-control'));
        maxAgeMs = (age ?? opts.defaultMaxAgeSeconds) * 1000;
        fetchedAt = Date.now();
        const body = (await res
          .clone()
          .json()
          .catch(() => ({}))) as { keys?: { kid?: unknown }[] };
        if (Array.isArray(body.keys)) kids = new Set(body.keys.map((k) => String(k.kid)));
      }
      return res;
    },
  });
  const refreshIfStale = () => {
    // Never more often than the unknown-kid cooldown, whatever max-age says.
    const due = fetchedAt + Math.max(maxAgeMs, opts.cooldownSeconds * 1000);
    if (fetchedAt && Date.now() >= due && !remote.reloading) {
      remote.reload().catch((e: unknown) => opts.onRefreshError?.(e));
    }
  };
  const keyFor = async (kid: string, header: JWTHeaderParameters) => {
    refreshIfStale();
    const key = await remote(header);
    // jose matches jwk.alg only when the JWK has one: require it, so the key names the algorithm.
    assertKeyAlgorithm(remote.jwks()?.keys.find((k) => k.kid === kid)?.alg, header);
    return key;
  };
  return Object.assign(keyFor, {
    ready: () => remote.reload(),
    publishes: (kid: string) => (refreshIfStale(), kids.has(kid)),
    jwk: (kid: string) => remote.jwks()?.keys.find((k) => k.kid === kid),
  });
}
