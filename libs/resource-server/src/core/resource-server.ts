import { discover } from './discovery';
import {
  insufficientScope,
  invalidToken,
  missingToken,
  unavailable,
  type Refusal,
} from './challenge';
import { remoteKeys } from './jwks';
import { AttestedTenantKeys } from './attested-keys';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { LRUCache } from 'lru-cache';
import { checkOptions, stderrLogger, type ResourceServerOptions } from './options';
import { RevocationFeed, type FeedStatus } from './revocation-feed';
import { RevocationReplica } from './revocation-replica';
import {
  TokenRuleViolation,
  verifyWithRules,
  type AccessTokenRules,
  type KeyForKid,
} from './verification-rules';

/** RFC 9068 access-token claims as Tessera issues them. */
export interface TesseraClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nbf?: number;
  jti: string;
  client_id: string;
  org: string;
  scope?: string;
  role?: string;
  act?: { sub: string; iss?: string };
}

export interface Principal {
  claims: TesseraClaims;
  scopes: ReadonlySet<string>;
}

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; refusal: Refusal };

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Protects one API: offline RFC 9068 verification against the issuer's JWKS, the revocation
 * replica fed by the feed, and scope checks. No framework here; the adapters translate.
 */
export class ResourceServer {
  private constructor(
    private readonly identifier: string,
    private readonly verify: (token: string) => Promise<TesseraClaims>,
    private readonly replica: RevocationReplica,
    private readonly feed: RevocationFeed,
  ) {}

  /** Discovers the issuer, loads its JWKS and starts the feed (requests get 503 until synced). */
  static async create(o: ResourceServerOptions): Promise<ResourceServer> {
    checkOptions(o);
    const fetchImpl = o.fetch ?? fetch;
    const logger = o.logger ?? stderrLogger;
    const leewaySeconds = o.leewaySeconds ?? 30;
    const needsDiscovery = !o.jwksUri || !o.revocationEventsEndpoint;
    const meta = needsDiscovery
      ? await discover(o.issuer, o.metadataUrl ?? o.issuer, fetchImpl)
      : undefined;
    const jwksUri = o.jwksUri ?? meta!.jwksUri;
    const endpoint = o.revocationEventsEndpoint ?? meta?.revocationEventsEndpoint;
    if (!endpoint) {
      throw new Error(
        `issuer ${o.issuer} advertises no revocation_events_endpoint: without the feed revoked tokens would pass`,
      );
    }
    const jwksOptions = {
      defaultMaxAgeSeconds: o.jwksDefaultMaxAgeSeconds ?? 300,
      cooldownSeconds: o.jwksCooldownSeconds ?? 30,
      fetch: fetchImpl,
      onRefreshError: (e: unknown) =>
        logger.warn(`JWKS refresh failed, keeping cached keys: ${String(e)}`),
    };
    const keys = remoteKeys(jwksUri, jwksOptions);
    await keys.ready();
    const replica = new RevocationReplica(leewaySeconds);
    const feed = new RevocationFeed({
      endpoint,
      issuer: o.issuer,
      identifier: o.identifier,
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      leewaySeconds,
      failClosedAfterSeconds: o.failClosedAfterSeconds ?? 60,
      keys,
      replica,
      logger,
      fetch: fetchImpl,
    });
    const platform = cachedVerifier(
      keys,
      { issuer: o.issuer, audience: o.identifier, leewaySeconds },
      o.verifyCacheSize ?? 10_000,
    );
    const verify = o.trustAnchor
      ? tenantIssuerVerifier(
          platform,
          new AttestedTenantKeys(o.issuer, o.trustAnchor, jwksOptions),
          { issuer: o.issuer, audience: o.identifier, leewaySeconds },
          o.verifyCacheSize ?? 10_000,
        )
      : platform;
    feed.start();
    return new ResourceServer(o.identifier, verify, replica, feed);
  }

  /** Checks an `Authorization` header value and the scopes a route needs (all of them). */
  async authenticate(
    authorization: string | undefined,
    requiredScopes: readonly string[] = [],
  ): Promise<AuthOutcome> {
    const realm = this.identifier;
    if (!authorization || !/^Bearer(\s|$)/i.test(authorization)) {
      return { ok: false, refusal: missingToken(realm) };
    }
    const m = BEARER.exec(authorization);
    if (!m) return { ok: false, refusal: invalidToken(realm, 'the access token is malformed') };
    let claims: TesseraClaims;
    try {
      claims = await this.verify(m[1]);
    } catch (e) {
      const failure = e instanceof TokenRuleViolation ? e.failure : 'invalid';
      return { ok: false, refusal: invalidToken(realm, describe(failure)) };
    }
    if (!this.feed.allowsRequests()) return { ok: false, refusal: unavailable() };
    if (this.replica.isRevoked(claims)) {
      return { ok: false, refusal: invalidToken(realm, 'the access token has been revoked') };
    }
    const scopes = new Set((claims.scope ?? '').split(' ').filter(Boolean));
    if (!requiredScopes.every((s) => scopes.has(s))) {
      return { ok: false, refusal: insufficientScope(realm, requiredScopes) };
    }
    return { ok: true, principal: { claims, scopes } };
  }

  /** Scope check for a principal an earlier step authenticated (passport routes). */
  checkScopes(principal: Principal, requiredScopes: readonly string[]): Refusal | undefined {
    return requiredScopes.every((s) => principal.scopes.has(s))
      ? undefined
      : insufficientScope(this.identifier, requiredScopes);
  }

  /** For the app's health check and metrics. */
  status(): FeedStatus {
    return this.feed.status();
  }

  close(): Promise<void> {
    return this.feed.stop();
  }
}

function describe(failure: TokenRuleViolation['failure']): string {
  if (failure === 'malformed') return 'the access token is malformed';
  if (failure === 'expired') return 'the access token has expired';
  return 'the access token is invalid';
}

/**
 * With a trust anchor: the platform's own tokens as before; a tenant issuer's through that
 * tenant's attested keys, and only when the attestation names the token's tenant (`org`).
 */
function tenantIssuerVerifier(
  platform: (token: string) => Promise<TesseraClaims>,
  tenants: AttestedTenantKeys,
  rules: AccessTokenRules,
  cacheSize: number,
) {
  const perIssuer = new LRUCache<string, (token: string) => Promise<TesseraClaims>>({ max: 1000 });
  return async (token: string): Promise<TesseraClaims> => {
    let iss: unknown;
    let kid: unknown;
    try {
      iss = decodeJwt(token).iss;
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return platform(token); // its own rules say malformed
    }
    if (iss === rules.issuer) return platform(token);
    if (!tenants.slugOf(iss) || typeof kid !== 'string') throw new TokenRuleViolation('invalid');
    const keys = tenants.forIssuer(iss as string);
    let verify = perIssuer.get(iss as string);
    if (!verify) {
      verify = cachedVerifier(keys, { ...rules, issuer: iss as string }, Math.ceil(cacheSize / 10));
      perIssuer.set(iss as string, verify);
    }
    const claims = await verify(token);
    if (keys.attested(kid)?.org !== claims.org) throw new TokenRuleViolation('invalid');
    return claims;
  };
}

/**
 * A signature check per request would cost more than most handlers: a token string that passed
 * the rules is remembered (bounded LRU) and, on a hit, only its exp and its key's presence in the
 * current JWKS are checked again. Revocation and scopes are checked on every request regardless.
 */
function cachedVerifier(
  keys: KeyForKid & { publishes(kid: string): boolean },
  rules: AccessTokenRules,
  size: number,
) {
  const cache =
    size > 0
      ? new LRUCache<string, { claims: TesseraClaims; kid: string }>({ max: size })
      : undefined;
  return async (token: string): Promise<TesseraClaims> => {
    const hit = cache?.get(token);
    if (hit) {
      if (hit.claims.exp + rules.leewaySeconds <= Date.now() / 1000) {
        cache!.delete(token);
        throw new TokenRuleViolation('expired');
      }
      if (keys.publishes(hit.kid)) return hit.claims;
      cache!.delete(token);
    }
    let kid = '';
    const claims = (await verifyWithRules(
      token,
      keys,
      rules,
      (h) => (kid = String(h.kid)),
    )) as unknown as TesseraClaims;
    cache?.set(token, { claims, kid });
    return claims;
  };
}
