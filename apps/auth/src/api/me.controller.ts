import { Controller, Get, Header, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { requestContext } from '@tessera/infrastructure/http/request-context';
import { SessionOrBearerGuard } from './session-or-bearer.guard';

/** GET /api/v1/me: who the caller is (session cookie or bearer), in which tenant, with which role. */
@Controller('api/v1')
@UseGuards(SessionOrBearerGuard)
export class MeController {
  @Get('me')
  @Header('Cache-Control', 'no-store')
  me(@Req() req: Request) {
    const p = requestContext(req).principal!;
    if (p.kind === 'session') {
      const s = p.session;
      return {
        sub: s.userId,
        tenant: s.tenantId,
        tenant_slug: s.tenantSlug,
        role: s.role,
        user: { id: s.userId, email: s.email, name: s.name },
        via: 'session',
        // Cookie-authenticated writes send this back as X-CSRF-Token.
        csrf_token: s.csrf,
      };
    }
    if (p.kind !== 'bearer') throw new Error('the session API guard sets a session or bearer');
    const c = p.claims;
    return {
      sub: c.sub,
      tenant: c.org,
      role: c.role ?? null,
      client_id: c.client_id,
      scope: c.scope ?? '',
      expires_at: new Date(c.exp * 1000).toISOString(),
      via: 'bearer',
    };
  }
}
