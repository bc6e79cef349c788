/**
 * Cookie names: over https the `__Host-` prefix (Secure, no Domain, Path=/), so no subdomain
 * can plant or read them; over plain http (local development) the browser would drop it.
 */
export function sessionCookieNames(issuer: string) {
  const secure = issuer.startsWith('https:');
  const prefix = secure ? '__Host-' : '';
  return { secure, session: `${prefix}tessera_session`, pending: `${prefix}tessera_login` };
}
