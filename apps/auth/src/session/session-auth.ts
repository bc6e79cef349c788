import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { ActiveSession } from '@tessera/application/session/session';
import type { TenantStatusReader } from '@tessera/application/tokens/tenant-status.port';
import { tenantDisabled } from '@tessera/domain/tenant/tenant.errors';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { RequestPrincipals } from '@tessera/infrastructure/http/request-principals';
import { SessionCookies } from './session-cookies';

const digest = (s: string) => createHash('sha256').update(s).digest();

export const csrfFailed = () =>
  new DomainError('access_denied', 'missing or invalid CSRF token; reload the page and try again');

/** Reads the session cookie, loads the session, checks the synchronizer CSRF token. */
@Injectable()
export class SessionAuth {
  readonly cookies: SessionCookies;

  constructor(
    @Inject(APP_CONFIG) cfg: AppConfig,
    private readonly principals: RequestPrincipals,
    @Optional() @Inject(DI.TenantStatus) private readonly tenants?: TenantStatusReader,
  ) {
    this.cookies = new SessionCookies(cfg);
  }

  /**
   * The signed-in session, refused (403) when its tenant is no longer active: the status is
   * read at every request through the tenant-status cache, so a disable reaches live sessions
   * within that cache's lifetime. Sign-out passes `allowDisabledTenant` so it still works.
   */
  async current(
    req: Request,
    opts: { allowDisabledTenant?: boolean } = {},
  ): Promise<ActiveSession | null> {
    const session = await this.principals.session(req);
    if (!session) return null;
    if (!opts.allowDisabledTenant && this.tenants) {
      if ((await this.tenants.status(session.tenantId)) !== 'active') throw tenantDisabled();
    }
    return session;
  }

  /** `X-CSRF-Token` header (API) or `_csrf` form field (pages), compared in constant time. */
  assertCsrf(req: Request, session: ActiveSession): void {
    const header = req.headers['x-csrf-token'];
    const body = (req.body as Record<string, unknown> | undefined)?._csrf;
    const sent = typeof header === 'string' ? header : typeof body === 'string' ? body : undefined;
    if (!sent || !timingSafeEqual(digest(sent), digest(session.csrf))) throw csrfFailed();
  }

  sessionCookieValue(req: Request): string | undefined {
    return this.cookies.read(req, this.cookies.session);
  }
}
