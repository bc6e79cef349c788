import { Controller, Get, Header, Inject, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { DI } from '@tessera/application/di-tokens';
import type { SessionTokens } from '@tessera/application/session/session-tokens';
import { requestContext } from '@tessera/infrastructure/http/request-context';
import { requireScope } from './required-scope';
import { SessionOrBearerGuard } from './session-or-bearer.guard';
import { tokenOwner } from './token-owner';

/** GET /api/v1/tokens: the caller's own tokens in their tenant (metadata, never secrets). */
@Controller('api/v1')
@UseGuards(SessionOrBearerGuard)
export class TokensListController {
  constructor(@Inject(DI.SessionTokens) private readonly tokens: SessionTokens) {}

  @Get('tokens')
  @Header('Cache-Control', 'no-store')
  async list(@Req() req: Request) {
    const p = requestContext(req).principal;
    requireScope(p, 'read');
    return { tokens: await this.tokens.list(tokenOwner(p)) };
  }
}
