/** RFC 9068 §2.2 claims, plus Tessera's tenant (`org`) and membership role. */
export interface AccessClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nbf?: number;
  jti: string;
  client_id: string;
  scope?: string;
  org: string;
  role?: string;
  /** RFC 8693 §4.1: the party acting for the subject after a token exchange. */
  act?: { sub: string; iss?: string };
}

export const ACCESS_TOKEN_TYP = 'at+jwt';

export function parseScope(scope: string | undefined | null): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(' ').filter(Boolean))];
}

export const formatScope = (scopes: readonly string[]): string => [...new Set(scopes)].join(' ');

/** RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
