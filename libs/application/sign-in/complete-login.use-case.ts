import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { tenantDisabled, unknownTenant } from '@tessera/domain/tenant/tenant.errors';
import type { AuditLog } from '../ports/audit-log.port';
import type { SessionStore } from '../session/session-store.port';
import type { MembershipWriter, TenantsBySlug, UserUpsert } from './directory.ports';
import { roleFromGroups } from './group-mapping';
import type { IdentityProvider } from './identity-provider.port';
import { loginExpired, noMembership, signInNotConfigured, stateMismatch } from './sign-in.errors';

export interface SignInSettings {
  groupPattern: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * GET /auth/callback. Order matters: the pending login is consumed and `state` compared
 * before anything reaches the IdP (openid-client would read a missing expected state as
 * "expect none"); the session is created only once user, tenant and role are settled.
 */
export class CompleteLoginUseCase {
  constructor(
    private readonly idp: IdentityProvider,
    private readonly sessions: SessionStore,
    private readonly tenants: TenantsBySlug,
    private readonly users: UserUpsert,
    private readonly memberships: MembershipWriter,
    private readonly settings: SignInSettings,
    private readonly audit?: AuditLog,
  ) {}

  async execute(input: { pendingId: string | undefined; callbackUrl: URL }) {
    if (!this.idp.configured) throw signInNotConfigured();
    const pending = input.pendingId ? await this.sessions.takePending(input.pendingId) : null;
    if (!pending) throw loginExpired();
    const states = input.callbackUrl.searchParams.getAll('state');
    if (states.length !== 1 || !timingSafeEqual(digest(states[0]!), digest(pending.state))) {
      throw stateMismatch();
    }
    const identity = await this.idp.completeLogin(input.callbackUrl, pending);
    const tenant = await this.tenants.bySlug(pending.tenantSlug);
    if (!tenant) throw unknownTenant();
    if (tenant.status !== 'active') throw tenantDisabled();
    const user = await this.users.upsert(
      identity.issuer,
      identity.subject,
      identity.email,
      identity.name,
    );
    // The IdP's groups are the source of truth: no matching group, no access, whatever was
    // stored before.
    const role = roleFromGroups(identity.groups, this.settings.groupPattern, tenant.slug);
    if (!role) throw noMembership(tenant.slug);
    await this.memberships.set(tenant.id, user.id, role);
    const session = await this.sessions.create({
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      userId: user.id,
      issuer: identity.issuer,
      subject: identity.subject,
      email: identity.email,
      name: identity.name,
      role,
      idToken: identity.idToken,
      idpSid: identity.sid,
      csrf: randomBytes(32).toString('base64url'),
      createdAt: Date.now(),
    });
    await this.audit
      ?.record({ tenantId: tenant.id, actor: user.id, action: 'sign_in', details: { role } })
      .catch(() => undefined);
    return { sessionId: session.id, idHash: session.idHash, returnTo: pending.returnTo };
  }
}
