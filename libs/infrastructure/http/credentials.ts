import type { IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';
import type { Request } from 'express';
import type { PresentedCredentials } from '@tessera/application/authenticate-client/authenticate-client.use-case';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { invalidToken } from '@tessera/domain/token/token.errors';

/**
 * The one reader of credentials a request presents: Basic and form client credentials
 * (RFC 6749 §2.3.1), Bearer tokens (RFC 6750 §2.1) and the session cookie. The rate limiter and
 * the endpoints read them here, so both see the same principal.
 */
export type Form = Record<string, string>;

const invalid = (why: string) => new DomainError('invalid_request', why);

/**
 * RFC 6749 §3.2: form-encoded bodies, each parameter at most once. Express's urlencoded
 * parser (extended: false) turns repeated keys into arrays, which we refuse here.
 */
export function oauthForm(req: Request): Form {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw invalid('the request body must be application/x-www-form-urlencoded');
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  const form: Form = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'resource') continue; // repeatable (RFC 8707 §2): requestedResources reads it
    if (typeof v !== 'string') throw invalid(`parameter ${k.slice(0, 40)} is repeated`);
    if (v !== '') form[k] = v;
  }
  return form;
}

/** client_id and client_secret of a parsed body (form or JSON) when they are non-empty strings. */
export function bodyCredentials(body: unknown): Form {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const form: Form = {};
  if (typeof b.client_id === 'string' && b.client_id) form.client_id = b.client_id;
  if (typeof b.client_secret === 'string' && b.client_secret) form.client_secret = b.client_secret;
  return form;
}

function decodeBasicPart(v: string): string {
  // RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    throw new DomainError('invalid_client', 'malformed Basic credentials');
  }
}

const BASIC = /^Basic ([A-Za-z0-9+/=]{1,2048})$/i;

/** Client credentials from the Basic header and the body's client_id / client_secret. */
export function clientCredentials(req: IncomingMessage, form: Form): PresentedCredentials {
  const header = req.headers.authorization;
  const creds: PresentedCredentials = {};
  if (header !== undefined) {
    const m = BASIC.exec(header.trim());
    if (!m) throw new DomainError('invalid_client', 'unsupported Authorization header');
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new DomainError('invalid_client', 'malformed Basic credentials');
    creds.basic = {
      clientId: decodeBasicPart(decoded.slice(0, colon)),
      secret: decodeBasicPart(decoded.slice(colon + 1)),
    };
  }
  if (form.client_id !== undefined || form.client_secret !== undefined) {
    if (creds.basic && form.client_id !== undefined && form.client_id !== creds.basic.clientId) {
      throw invalid('client_id does not match the authenticated client');
    }
    if (!creds.basic || form.client_secret !== undefined) {
      creds.post = { clientId: form.client_id ?? '', secret: form.client_secret };
    }
  }
  return creds;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/** RFC 6750 §2.1 bearer tokens in the Authorization header only (never in query strings). */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const m = BEARER.exec(h.trim());
  if (!m) throw invalidToken('malformed Authorization header');
  return m[1];
}

/** One cookie's value; an oversized or unparsable Cookie header counts as none. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header || header.length > 8192) return undefined;
  try {
    return parseCookie(header)[name];
  } catch {
    return undefined;
  }
}
