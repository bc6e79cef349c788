import { Module } from '@nestjs/common';
import { SessionModule } from '../session/session.module';
import { MeController } from './me.controller';
import { SessionOrBearerGuard } from './session-or-bearer.guard';
import { TokensCreateController } from './tokens-create.controller';
import { TokensListController } from './tokens-list.controller';
import { TokensRevokeController } from './tokens-revoke.controller';

/** The session API (/api/v1): a bearer token or the session cookie, CSRF on cookie writes. */
@Module({
  imports: [SessionModule],
  controllers: [MeController, TokensCreateController, TokensListController, TokensRevokeController],
  providers: [SessionOrBearerGuard],
})
export class ApiModule {}
