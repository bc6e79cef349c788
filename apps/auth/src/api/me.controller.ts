import { Controller, Get, Header, Req, UseGuards } from '@nestjs/common';
import { BearerGuard, type BearerRequest } from './bearer.guard';

/** GET /api/v1/me: who the presented access token speaks for. */
@Controller('api/v1')
export class MeController {
  @Get('me')
  @UseGuards(BearerGuard)
  @Header('Cache-Control', 'no-store')
  me(@Req() req: BearerRequest) {
    const p = req.principal!;
    return {
      sub: p.sub,
      tenant: p.org,
      role: p.role ?? null,
      client_id: p.client_id,
      scope: p.scope ?? '',
      expires_at: new Date(p.exp * 1000).toISOString(),
      via: 'bearer',
    };
  }
}
