import { Controller, Delete, HttpCode, Inject, Param, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { DI } from '@tessera/application/di-tokens';
import type { SessionTokens } from '@tessera/application/session/session-tokens';
import { requestContext } from '@tessera/infrastructure/http/request-context';
import { requireScope } from './required-scope';
import { SessionOrBearerGuard } from './session-or-bearer.guard';
import { tokenOwner } from './token-owner';

/** DELETE /api/v1/tokens/{id}: revokes one of the caller's tokens (with its pair). */
@Controller('api/v1')
@UseGuards(SessionOrBearerGuard)
export class TokensRevokeController {
  constructor(@Inject(DI.SessionTokens) private readonly tokens: SessionTokens) {}

  @Delete('tokens/:id')
  @HttpCode(204)
  async revoke(@Req() req: Request, @Param('id') id: string): Promise<void> {
    const p = requestContext(req).principal;
    requireScope(p, 'write');
    await this.tokens.revoke(tokenOwner(p), id);
  }
}
