import type { Request, Response } from 'express';
import type { AppConfig } from '@tessera/config';
import { readCookie } from '@tessera/infrastructure/http/credentials';
import { sessionCookieNames } from '@tessera/infrastructure/session/session-cookie-names';

/**
 * Over https the cookies get Secure and the `__Host-` prefix (no Domain, Path=/, so no
 * subdomain can plant or read them). Lax: the IdP's top-level redirect back still carries them.
 */
export class SessionCookies {
  readonly secure: boolean;
  readonly session: string;
  readonly pending: string;

  constructor(private readonly cfg: AppConfig) {
    ({
      secure: this.secure,
      session: this.session,
      pending: this.pending,
    } = sessionCookieNames(cfg.issuer));
  }

  read(req: Request, name: string): string | undefined {
    return readCookie(req, name);
  }

  set(res: Response, name: string, value: string, maxAgeSeconds: number): void {
    res.cookie(name, value, {
      httpOnly: true,
      secure: this.secure,
      sameSite: 'lax',
      path: '/',
      maxAge: maxAgeSeconds * 1000,
    });
  }

  clear(res: Response, name: string): void {
    res.clearCookie(name, { httpOnly: true, secure: this.secure, sameSite: 'lax', path: '/' });
  }

  sessionMaxAge(): number {
    return this.cfg.session.absoluteTtl;
  }
}
