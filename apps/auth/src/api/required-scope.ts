import { SESSION_API_SCOPES } from '@tessera/application/session/role-scopes';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { parseScope } from '@tessera/domain/token/access-claims';
import type { Principal } from '@tessera/infrastructure/http/request-context';

/** RFC 6750 §3.1: the filter names `scope` in the challenge from `requiredScope`. */
export const insufficientScope = (scope: string) =>
  new DomainError('insufficient_scope', `this request needs the scope "${scope}"`, {
    requiredScope: scope,
  });

/** Bearer tokens need the scope for the action; a cookie session is checked by role instead. */
export function requireScope(p: Principal | undefined, action: 'read' | 'write'): void {
  if (p?.kind !== 'bearer') return;
  const needed = SESSION_API_SCOPES[action];
  if (!parseScope(p.claims.scope).includes(needed)) throw insufficientScope(needed);
}
