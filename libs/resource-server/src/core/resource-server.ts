import { discover } from './discovery';
import {
  insufficientScope,
  invalidToken,
  missingToken,
  unavailable,
  type Refusal,
} from './challenge';
import { remoteKeys } from './jwks';
import { checkOptions, stderrLogger, type ResourceServerOptions } from './options';
import { RevocationFeed, type FeedStatus } from './revocation-feed';
import { RevocationReplica } from './revocation-replica';
import { TokenRuleViolation } from './verification-rules';
import { VerifiedTokens } from './verified-tokens';
import { AttestedTenantKeys } from './attested-keys';
import { TenantIssuerTokens, type TokenVerification } from './tenant-issuer-tokens';
import type { Principal } from './principal';

export type { Principal, TesseraClaims } from './principal';

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; refusal: Refusal };

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Protects one API: offline RFC 9068 verification against the issuer's JWKS, the revocation
 * replica fed by the feed, and scope checks. No framework here; the adapters translate.
 */
export class ResourceServer {
  private constructor(
    private readonly identifier: string,
    private readonly tokens: TokenVerification,
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
      pollTimeoutSeconds: o.pollTimeoutSeconds ?? 30,
      keys,
      replica,
      logger,
      fetch: fetchImpl,
    });
    const rules = { issuer: o.issuer, audience: o.identifier, leewaySeconds };
    const size = o.verifyCacheSize ?? 10_000;
    const platform = new VerifiedTokens(keys, rules, size);
    const tokens = o.trustAnchor
      ? new TenantIssuerTokens(
          platform,
          new AttestedTenantKeys(o.issuer, o.trustAnchor, jwksOptions),
          rules,
          size,
        )
      : platform;
    feed.start();
    return new ResourceServer(o.identifier, tokens, replica, feed);
  }

  /** Checks an `Authorization` header value and the scopes a route needs (all of them). */
  authenticate(
    authorization: string | undefined,
    requiredScopes: readonly string[] = [],
  ): Promise<AuthOutcome> {
    const known = this.authenticateKnown(authorization, requiredScopes);
    return known ? Promise.resolve(known) : this.authenticateNew(authorization!, requiredScopes);
  }

  /**
   * The same answer as `authenticate`, synchronously, whenever no signature check is needed
   * (no or a malformed token, one verified before, the feed down); undefined otherwise. The
   * adapters use it so that the common request (a token seen before) costs no promise.
   */
  authenticateKnown(
    authorization: string | undefined,
    requiredScopes: readonly string[] = [],
  ): AuthOutcome | undefined {
    const realm = this.identifier;
    if (!authorization || !/^Bearer(\s|$)/i.test(authorization)) {
      return { ok: false, refusal: missingToken(realm) };
    }
    let principal: Principal | undefined;
    try {
      // A token remembered was well-formed when first seen: the pattern check waits for a miss.
      principal = this.tokens.recall(spaceDelimited(authorization));
      if (!principal) {
        const m = BEARER.exec(authorization);
        if (!m) return { ok: false, refusal: invalidToken(realm, 'the access token is malformed') };
        principal = this.tokens.recall(m[1]!);
      }
    } catch (e) {
      return this.invalid(e);
    }
    return principal && this.admit(principal, requiredScopes);
  }

  private async authenticateNew(
    authorization: string,
    requiredScopes: readonly string[],
  ): Promise<AuthOutcome> {
    let principal: Principal;
    try {
      principal = await this.tokens.verify(BEARER.exec(authorization)![1]!);
    } catch (e) {
      return this.invalid(e);
    }
    return this.admit(principal, requiredScopes);
  }

  private invalid(e: unknown): AuthOutcome {
    const failure = e instanceof TokenRuleViolation ? e.failure : 'invalid';
    return { ok: false, refusal: invalidToken(this.identifier, describe(failure)) };
  }

  /** A verified token: the feed, the revocation replica, then the route's scopes. */
  private admit(principal: Principal, requiredScopes: readonly string[]): AuthOutcome {
    if (!this.feed.allowsRequests()) return { ok: false, refusal: unavailable() };
    if (this.replica.isRevoked(principal.claims)) {
      return {
        ok: false,
        refusal: invalidToken(this.identifier, 'the access token has been revoked'),
      };
    }
    for (const s of requiredScopes) {
      if (!principal.scopes.has(s)) {
        return { ok: false, refusal: insufficientScope(this.identifier, requiredScopes) };
      }
    }
    return { ok: true, principal };
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

/** What follows "Bearer" between spaces (only spaces, as BEARER allows); '' if not so delimited. */
function spaceDelimited(h: string): string {
  if (h.charCodeAt(6) !== 32) return '';
  let i = 7;
  let j = h.length;
  while (h.charCodeAt(i) === 32) i++;
  while (j > i && h.charCodeAt(j - 1) === 32) j--;
  return h.slice(i, j);
}

function describe(failure: TokenRuleViolation['failure']): string {
  if (failure === 'malformed') return 'the access token is malformed';
  if (failure === 'expired') return 'the access token has expired';
  return 'the access token is invalid';
}
