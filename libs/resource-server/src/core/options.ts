/** How an API protects itself with Tessera tokens. Durations in seconds. */
export interface ResourceServerOptions {
  /** The issuer exactly as in the tokens' `iss` (metadata is fetched from it). */
  issuer: string;
  /** This API's identifier: tokens must name it in `aud`. */
  identifier: string;
  /** This resource server's credentials (from `resource create`), for the revocation feed. */
  clientId: string;
  clientSecret: string;
  /** Clock leeway for exp/nbf/iat (default 30). */
  leewaySeconds?: number;
  /** Fail closed (503) once the feed has been unreachable this long (default 60). */
  failClosedAfterSeconds?: number;
  /** A feed poll is abandoned (and counts as failed) after this long (default 30). Must exceed
   * the server's longest hold of a quiet long poll (Tessera's REVOCATION_FEED_MAX_WAIT, at most
   * 25 s), or every quiet poll fails and the API fails closed after failClosedAfterSeconds. */
  pollTimeoutSeconds?: number;
  /** Where to fetch metadata when the issuer's own URL is not reachable from here. */
  metadataUrl?: string;
  /** Overrides the metadata's `jwks_uri` / `revocation_events_endpoint`. */
  jwksUri?: string;
  revocationEventsEndpoint?: string;
  /** JWKS cache lifetime when the JWKS response has no Cache-Control max-age (default 300). */
  jwksDefaultMaxAgeSeconds?: number;
  /** Minimum time between JWKS fetches for an unknown kid (default 30). */
  jwksCooldownSeconds?: number;
  /** Verified tokens remembered, so a repeat costs a lookup, not a signature check (default
   * 10000; 0 disables). exp and the key's presence in the JWKS are checked on every hit. */
  verifyCacheSize?: number;
  /**
   * The platform trust anchor's public key (Ed25519 JWK, from `keys anchor`). With it, tokens of
   * any tenant issuer `{issuer}/t/{slug}` are accepted, each checked against that tenant's own
   * JWKS, and only with keys the anchor attested for exactly that issuer and tenant.
   */
  trustAnchor?: import('jose').JWK;
  /** Where the library says what it does (default: stderr). */
  logger?: Logger;
  /** Test seam: the fetch used for metadata, JWKS and the feed. */
  fetch?: typeof fetch;
}

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const line = (level: string) => (m: string) =>
  void process.stderr.write(`[tessera-resource-server] ${level}: ${m}\n`);

/** The default: one line per event on stderr. Pass the app's own logger to route it. */
export const stderrLogger: Logger = {
  info: line('info'),
  warn: line('warn'),
  error: line('error'),
};

export interface ResolvedOptions extends Required<
  Omit<
    ResourceServerOptions,
    'metadataUrl' | 'jwksUri' | 'revocationEventsEndpoint' | 'trustAnchor'
  >
> {
  jwksUri: string;
  revocationEventsEndpoint: string;
}

/** Checks the options an API passes: a mistake here is a startup error, not a 401 storm. */
export function checkOptions(o: ResourceServerOptions): void {
  for (const k of ['issuer', 'identifier', 'clientId', 'clientSecret'] as const) {
    if (typeof o[k] !== 'string' || o[k].length === 0) {
      throw new TypeError(`@tessera/resource-server: option "${k}" is required`);
    }
  }
  if (o.trustAnchor !== undefined && (typeof o.trustAnchor !== 'object' || !o.trustAnchor)) {
    throw new TypeError('@tessera/resource-server: option "trustAnchor" must be a JWK object');
  }
  for (const k of [
    'leewaySeconds',
    'failClosedAfterSeconds',
    'jwksDefaultMaxAgeSeconds',
    'jwksCooldownSeconds',
    'verifyCacheSize',
  ] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new TypeError(`@tessera/resource-server: option "${k}" must be a number ≥ 0`);
    }
  }
  const t = o.pollTimeoutSeconds;
  if (t !== undefined && !(Number.isFinite(t) && t > 0)) {
    throw new TypeError(
      '@tessera/resource-server: option "pollTimeoutSeconds" must be a number > 0 ' +
        "(above the issuer's longest long-poll hold)",
    );
  }
}
