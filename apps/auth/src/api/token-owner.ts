import { isRole } from '@tessera/domain/tenant/membership';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { CONSOLE_CLIENT_ID, type TokenOwner } from '@tessera/application/session/session-tokens';
import type { Principal } from '@tessera/infrastructure/http/request-context';

/** A session's user, or the user behind a token minted from a session (its `sub`). */
export function tokenOwner(p: Principal | undefined): TokenOwner {
  if (p?.kind === 'session') {
    return { tenantId: p.session.tenantId, userId: p.session.userId, role: p.session.role };
  }
  if (p?.kind === 'bearer' && p.claims.client_id === CONSOLE_CLIENT_ID && isRole(p.claims.role)) {
    return { tenantId: p.claims.org, userId: p.claims.sub, role: p.claims.role };
  }
  throw new DomainError('access_denied', 'only a signed-in user or their API token may do this');
}
