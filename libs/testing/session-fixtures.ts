/** Session data for the session store specs (memory and Redis adapters). */
import type { SessionData } from '@tessera/application/session/session';
import { newId } from '@tessera/domain/shared/ids';

/** A member's session in a fresh tenant, made now; `over` replaces any field. */
export const sessionData = (over: Partial<SessionData> = {}): SessionData => ({
  tenantId: newId('tenant'),
  tenantSlug: 'acme',
  userId: newId('user'),
  issuer: 'https://idp.test/application/o/tessera/',
  subject: 's',
  email: 'a@acme.test',
  name: 'A',
  role: 'member',
  idToken: 'id.token.value',
  csrf: 'c',
  createdAt: Date.now(),
  ...over,
});
