import type { Request, Response } from 'express';
import { parseCookie } from 'cookie';
import type { AppConfig } from '@tessera/config';

/**
 * Over https the cookies get Secure and the `__Host-` prefix (no Domain, Path=/, so no
 * subdomain can plant or read them). Lax: the IdP's top-level redirect back still carries them.
 */
export class SessionCookies {
  readonly secure: boolean;
  readonly session: string;
  readonly pending: string;

  constructor(private readonly cfg: AppConfig) {
    this.secure = cfg.issuer.startsWith('https:');
    const prefix = this.secure ? '__Host-' : '';
    this.session = `${prefix}tessera_session`;
    this.pending = `${prefix}tessera_login`;
  }

  read(req: Request, name: string): string | undefined {
    const header = req.headers.cookie;
    if (!header || header.length > 8192) return undefined;
    try {
      return parseCookie(header)[name];
    } catch {
      return undefined;
    }
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
