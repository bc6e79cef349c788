import type { Request } from 'express';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Client } from '@tessera/domain/token/client';
import { SCOPE_TOKEN, parseScope } from '@tessera/domain/token/access-claims';
import type {
  AuthenticateClient,
  PresentedCredentials,
} from '@tessera/application/authenticate-client/authenticate-client.use-case';

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

function decodeBasicPart(v: string): string {
  // RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    throw new DomainError('invalid_client', 'malformed Basic credentials');
  }
}

export function presentedCredentials(req: Request, form: Form): PresentedCredentials {
  const header = req.headers.authorization;
  const creds: PresentedCredentials = {};
  if (header !== undefined) {
    const m = /^Basic ([A-Za-z0-9+/=]{1,2048})$/i.exec(header.trim());
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

/** RFC 8707 §2: `resource` may be repeated; each value is checked by ResolveResources. */
export function requestedResources(req: Request): string[] {
  const v = (req.body as Record<string, unknown> | undefined)?.resource;
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((r): r is string => typeof r === 'string')) {
    throw invalid('the resource parameter is malformed');
  }
  if (list.length > 50) throw new DomainError('invalid_target', 'too many resource parameters');
  return list;
}

/** Parses `scope`: RFC 6749 §3.3 scope-tokens, bounded in number and size. */
export function requestedScopes(form: Form): string[] | undefined {
  if (form.scope === undefined) return undefined;
  const scopes = parseScope(form.scope);
  if (scopes.length > 50 || scopes.some((s) => s.length > 128 || !SCOPE_TOKEN.test(s))) {
    throw new DomainError('invalid_scope', 'the scope parameter is malformed');
  }
  return scopes;
}

/** Where logs find the tenant and client once they are known. */
export function tagRequest(req: Request, tenantId: string, clientId: string): void {
  const r = req as Request & { tessera?: object };
  r.tessera = { ...r.tessera, tenantId, clientId };
}

/** Client authentication at every OAuth endpoint: one method at most, then tag the request. */
export async function authenticatedClient(
  req: Request,
  form: Form,
  authenticate: AuthenticateClient,
): Promise<Client> {
  const client = await authenticate.execute(presentedCredentials(req, form));
  tagRequest(req, client.tenantId, client.id);
  return client;
}
