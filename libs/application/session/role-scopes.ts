import type { Role } from '@tessera/domain/tenant/membership';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { SCOPE_TOKEN } from '@tessera/domain/token/access-claims';
import { MANAGE_SCOPE } from '@tessera/domain/tenant/management-scopes';

/** What a session of each role may put in an API token it mints. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly string[]>> = {
  owner: ['api:read', 'api:write', 'api:admin', MANAGE_SCOPE],
  admin: ['api:read', 'api:write', 'api:admin', MANAGE_SCOPE],
  member: ['api:read', 'api:write'],
  viewer: ['api:read'],
};

/** The requested scopes, or the role's read scope when none; anything beyond the role fails. */
export function scopesForRole(role: Role, requested: readonly string[]): string[] {
  const allowed = ROLE_SCOPES[role];
  if (requested.length === 0) return [allowed[0]!];
  for (const s of requested) {
    if (!SCOPE_TOKEN.test(s)) throw new DomainError('invalid_scope', 'malformed scope');
    if (!allowed.includes(s)) {
      throw new DomainError('invalid_scope', `scope "${s}" is beyond the ${role} role`);
    }
  }
  return [...new Set(requested)];
}

/** What a bearer token needs on the session API (cookie sessions go by role and CSRF instead). */
export const SESSION_API_SCOPES = { read: 'api:read', write: 'api:write' } as const;
