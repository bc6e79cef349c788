/** RFC 9068 access-token claims as Tessera issues them. */
export interface TesseraClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nbf?: number;
  jti: string;
  client_id: string;
  org: string;
  scope?: string;
  role?: string;
  act?: { sub: string; iss?: string };
}

export interface Principal {
  claims: TesseraClaims;
  scopes: ReadonlySet<string>;
}
