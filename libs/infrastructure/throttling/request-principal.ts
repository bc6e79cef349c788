import { verifyOncePerRequest } from '../tokens/verify-once';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { parseCookie } from 'cookie';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type {
  AuthenticateClient,
  PresentedCredentials,
} from '@tessera/application/authenticate-client/authenticate-client.use-case';
import type { SessionStore } from '@tessera/application/session/session-store.port';
import type { IdentityProvider } from '@tessera/application/sign-in/identity-provider.port';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import { sessionCookieNames } from '../session/session-cookie-names';
import type { ClientLookupCost } from '../tokens/cached-client-lookup';

/** Who a request proved to be, for rate limiting: a verified credential, never a claimed one. */
export interface RatePrincipal {
  kind: 'client' | 'token' | 'session' | 'issuer';
  key: string;
}

const resolved = new WeakMap<Request, RatePrincipal>();

/** The principal `RequestPrincipals.resolve` verified for this request, or null (anonymous). */
export const principalOf = (req: Request): RatePrincipal | null => resolved.get(req) ?? null;

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]{1,8192}=*)$/i;
const BASIC = /^Basic ([A-Za-z0-9+/=]{1,2048})$/i;

function decodeFormPart(v: string): string | undefined {
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** RFC 6749 §2.3.1 credentials, or undefined when absent, malformed or ambiguous. */
function clientCredentials(req: Request): PresentedCredentials | undefined {
  const body = (req.is('application/x-www-form-urlencoded') ? req.body : undefined) as
    Record<string, unknown> | undefined;
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = BASIC.exec(auth.trim());
    if (!m || body?.client_secret !== undefined) return undefined;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const clientId = colon > 0 ? decodeFormPart(decoded.slice(0, colon)) : undefined;
    const secret = colon > 0 ? decodeFormPart(decoded.slice(colon + 1)) : undefined;
    return clientId && secret ? { basic: { clientId, secret } } : undefined;
  }
  const { client_id: clientId, client_secret: secret } = body ?? {};
  if (typeof clientId === 'string' && typeof secret === 'string') {
    return { post: { clientId, secret } };
  }
  return undefined;
}

/**
 * Verifies the request's credential the way its endpoint will (client authentication at the
 * OAuth endpoints, else a bearer access token, else the session cookie) so that verified
 * traffic is counted per principal and everything else, failed credentials included, per
 * address. Every check is cheap: clients and tenant status are cached, tokens are verified
 * locally, a session is one Redis read.
 */
@Injectable()
export class RequestPrincipals {
  private readonly sessionCookie: string;

  constructor(
    @Inject(APP_CONFIG) cfg: AppConfig,
    @Optional() @Inject(DI.AuthenticateClient) private readonly clients?: AuthenticateClient,
    @Optional() @Inject(DI.VerifyAccessToken) private readonly tokens?: TokenVerifier,
    @Optional() @Inject(DI.SessionStore) private readonly sessions?: SessionStore,
    @Optional() @Inject(DI.ClientLookupCost) private readonly lookups?: ClientLookupCost,
    @Optional() @Inject(DI.IdentityProvider) private readonly idp?: IdentityProvider,
  ) {
    this.sessionCookie = sessionCookieNames(cfg.issuer).session;
  }

  /**
   * Would verifying this request's client credentials cost a database query for an id this
   * node does not know? Such a request is counted against its address before the lookup.
   */
  costsClientLookup(req: Request): boolean {
    if (req.method !== 'POST' || !req.path.startsWith('/oauth/') || !this.lookups) return false;
    const creds = clientCredentials(req);
    const id = (creds?.basic ?? creds?.post)?.clientId;
    return id !== undefined && this.lookups.costsLookup(id);
  }

  async resolve(req: Request): Promise<RatePrincipal | null> {
    let principal: RatePrincipal | null = null;
    try {
      principal = await this.verify(req);
    } catch {
      // A credential that does not verify (or a store that is down) counts as anonymous.
    }
    if (principal) resolved.set(req, principal);
    return principal;
  }

  private async verify(req: Request): Promise<RatePrincipal | null> {
    if (req.method === 'POST' && req.path === '/auth/backchannel-logout')
      return this.idpLogout(req);
    if (req.method === 'POST' && req.path.startsWith('/oauth/')) {
      const creds = clientCredentials(req);
      if (creds && this.clients) {
        const client = await this.clients.execute(creds);
        return { kind: 'client', key: `client:${client.id}` };
      }
      return null;
    }
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = BEARER.exec(auth.trim());
      if (!m || !this.tokens) return null;
      const claims = await verifyOncePerRequest(req, m[1]!, this.tokens);
      return { kind: 'token', key: `token:${claims.client_id}:${claims.sub}` };
    }
    const header = req.headers.cookie;
    if (!header || header.length > 8192 || !this.sessions) return null;
    const id = parseCookie(header)[this.sessionCookie];
    const session = id ? await this.sessions.get(id) : null;
    return session ? { kind: 'session', key: `session:${session.idHash}` } : null;
  }

  /**
   * A logout token the configured IdP signed counts against that issuer, not the address: a
   * mass logout comes from one IdP address and must not meet the anonymous limit (429 would
   * leave sessions alive). Verifying it is one signature check against the cached JWKS (the
   * endpoint repeats it; the jti replay guard there bounds what a valid token can do);
   * anything that fails counts against the address as before.
   */
  private async idpLogout(req: Request): Promise<RatePrincipal | null> {
    const body = (req.is('application/x-www-form-urlencoded') ? req.body : undefined) as
      Record<string, unknown> | undefined;
    const token = body?.logout_token;
    if (typeof token !== 'string' || !this.idp) return null;
    const claims = await this.idp.verifyLogoutToken(token);
    return { kind: 'issuer', key: `issuer:${claims.issuer}` };
  }
}
