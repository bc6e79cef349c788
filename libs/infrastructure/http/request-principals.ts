import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { AuthenticateClient } from '@tessera/application/authenticate-client/authenticate-client.use-case';
import type { ActiveSession } from '@tessera/application/session/session';
import type { SessionStore } from '@tessera/application/session/session-store.port';
import type { IdentityProvider } from '@tessera/application/sign-in/identity-provider.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { AccessClaims } from '@tessera/domain/token/access-claims';
import type { Client } from '@tessera/domain/token/client';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import { sessionCookieNames } from '../session/session-cookie-names';
import type { ClientLookupCost } from '../tokens/cached-client-lookup';
import {
  bearerToken,
  bodyCredentials,
  clientCredentials,
  readCookie,
  type Form,
} from './credentials';
import { requestContext, type Principal } from './request-context';

const unavailable = (what: string) =>
  new DomainError('temporarily_unavailable', `${what} are not accepted yet`);

/**
 * Resolves a request's principal once: the client at the OAuth endpoints, a bearer token, or
 * the session cookie. The rate limiter asks first (to count verified traffic per principal),
 * the endpoint asks again and gets the same outcome, a failure included, without a second
 * secret hash, token verification or session read. Outcomes live on the request's context,
 * keyed by the credential, so nothing outlives the request and another credential is checked
 * afresh.
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

  /** RFC 6749 §2.3.1 client authentication with the Basic header and `form`'s credentials. */
  client(req: IncomingMessage, form: Form): Promise<Client> {
    try {
      return this.authenticate(req, form);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  private authenticate(
    req: IncomingMessage,
    form: Form,
    beforeLookup?: (id: string) => Promise<void> | undefined,
  ): Promise<Client> {
    const creds = clientCredentials(req, form);
    const ctx = requestContext(req);
    const key = JSON.stringify(creds);
    const hit = ctx.pending?.client;
    if (hit?.key === key) return hit.result;
    if (!this.clients) throw unavailable('client credentials');
    const clients = this.clients;
    const gate = beforeLookup?.((creds.basic ?? creds.post)?.clientId ?? '');
    const lookup = gate ? gate.then(() => clients.execute(creds)) : clients.execute(creds);
    const result = lookup.then((client) => {
      ctx.tenantId = client.tenantId;
      ctx.clientId = client.id;
      ctx.principal = { kind: 'client', client };
      return client;
    });
    (ctx.pending ??= {}).client = { key, result };
    return result;
  }

  /** The access token's claims, verified once per request and token. */
  bearer(req: IncomingMessage, token: string): Promise<AccessClaims> {
    const ctx = requestContext(req);
    const hit = ctx.pending?.bearer;
    if (hit?.token === token) return hit.result;
    if (!this.tokens) return Promise.reject(unavailable('bearer tokens'));
    const result = this.tokens.verify(token).then((claims) => {
      ctx.principal = { kind: 'bearer', claims };
      return claims;
    });
    (ctx.pending ??= {}).bearer = { token, result };
    return result;
  }

  /** The session named by the session cookie, read once per request; null when there is none. */
  session(req: IncomingMessage): Promise<ActiveSession | null> {
    const id = readCookie(req, this.sessionCookie);
    if (!id || !this.sessions) return Promise.resolve(null);
    const ctx = requestContext(req);
    const hit = ctx.pending?.session;
    if (hit?.id === id) return hit.result;
    const result = this.sessions.get(id).then((session) => {
      if (session) {
        ctx.principal = { kind: 'session', session };
        ctx.sessionId = session.idHash;
      }
      return session;
    });
    (ctx.pending ??= {}).session = { id, result };
    return result;
  }

  /**
   * The rate limiter's question: which principal did this request prove to be, checked the
   * way its endpoint will check it (client authentication at the OAuth endpoints, else a bearer
   * token, else the session cookie)? A credential that does not verify, or a store that is
   * down, counts as anonymous (null); the endpoint then answers with the same failure.
   * `beforeLookup` is awaited first when the client id is one this node does not know (it
   * costs a database query), so the address pays before the lookup; what it throws, the
   * caller gets.
   */
  async resolve(req: Request, beforeLookup: () => Promise<void>): Promise<Principal | null> {
    let counted: Promise<void> | undefined;
    let pending: Promise<unknown> | undefined;
    try {
      if (req.method === 'POST' && req.path === '/auth/backchannel-logout') {
        pending = this.idpLogout(req);
      } else if (req.method === 'POST' && req.path.startsWith('/oauth/')) {
        const costs = (id: string) =>
          (counted = this.lookups?.costsLookup(id) ? beforeLookup() : undefined);
        pending = this.authenticate(req, bodyCredentials(req.body), costs);
      } else {
        const token = bearerToken(req);
        if (token !== undefined)
          pending = token.length <= 8192 ? this.bearer(req, token) : undefined;
        else pending = this.session(req);
      }
    } catch {
      // A malformed credential: anonymous.
    }
    // Refused by the address count (429): the lookup never ran, and the caller gets the refusal.
    pending?.catch(() => undefined);
    if (counted) await counted;
    try {
      await pending;
    } catch {
      // A credential that does not verify (or a store that is down) counts as anonymous.
    }
    return requestContext(req).principal ?? null;
  }

  /**
   * A logout token the configured IdP signed counts against that issuer, not the address: a
   * mass logout comes from one IdP address and must not meet the anonymous limit (429 would
   * leave sessions alive). Verifying it is one signature check against the cached JWKS (the
   * endpoint repeats it; the jti replay guard there bounds what a valid token can do);
   * anything that fails counts against the address as before.
   */
  private async idpLogout(req: Request): Promise<void> {
    const body = (req.is('application/x-www-form-urlencoded') ? req.body : undefined) as
      Record<string, unknown> | undefined;
    const token = body?.logout_token;
    if (typeof token !== 'string' || !this.idp) return;
    const claims = await this.idp.verifyLogoutToken(token);
    requestContext(req).principal = { kind: 'issuer', issuer: claims.issuer };
  }
}
