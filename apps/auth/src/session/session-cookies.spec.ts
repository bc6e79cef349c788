import { loadConfig } from '@tessera/config';
import { SessionCookies } from './session-cookies';

describe('session cookies', () => {
  it('over https: Secure and the __Host- prefix', () => {
    const c = new SessionCookies(loadConfig({ ISSUER: 'https://tessera.example.com' }));
    expect(c.secure).toBe(true);
    expect(c.session).toBe('__Host-tessera_session');
    expect(c.pending).toBe('__Host-tessera_login');
  });

  it('over plain http (local development): neither, the browser would drop them', () => {
    const c = new SessionCookies(loadConfig({ ISSUER: 'http://127.0.0.1:3000' }));
    expect(c.secure).toBe(false);
    expect(c.session).toBe('tessera_session');
  });
});
