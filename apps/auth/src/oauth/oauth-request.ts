import type { Request } from 'express';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { SCOPE_TOKEN, parseScope } from '@tessera/domain/token/access-claims';
import type { Form } from '@tessera/infrastructure/http/credentials';

/** RFC 8707 §2: `resource` may be repeated; each value is checked by ResolveResources. */
export function requestedResources(req: Request): string[] {
  const v = (req.body as Record<string, unknown> | undefined)?.resource;
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((r): r is string => typeof r === 'string')) {
    throw new DomainError('invalid_request', 'the resource parameter is malformed');
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
