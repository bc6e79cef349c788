import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { hashSecret, parseSessionId } from '@tessera/infrastructure/session/session-id';
import { context } from './request-context';
import { SessionCookies } from './session-cookies';

/** Exposes the session id hash on `req.tessera.sessionId` before guards (throttler) run. */
@Injectable()
export class SessionIdMiddleware implements NestMiddleware {
  private readonly cookies: SessionCookies;

  constructor(@Inject(APP_CONFIG) cfg: AppConfig) {
    this.cookies = new SessionCookies(cfg);
  }

  use(req: Request, _res: Response, next: NextFunction): void {
    const parsed = parseSessionId(this.cookies.read(req, this.cookies.session));
    if (parsed) context(req).sessionId = hashSecret(parsed.secret);
    next();
  }
}
