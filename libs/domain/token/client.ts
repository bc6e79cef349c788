export type ClientGrant =
  'client_credentials' | 'refresh_token' | 'urn:ietf:params:oauth:grant-type:token-exchange';
export const CLIENT_GRANTS: readonly ClientGrant[] = [
  'client_credentials',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:token-exchange',
];

/** A tenant's service client, as authentication sees it. Never carries the secret. */
export interface Client {
  id: string;
  tenantId: string;
  name: string;
  secretHash: Buffer;
  grants: ClientGrant[];
  scopes: string[];
  status: 'active' | 'disabled';
  /** Identifiers of the resource servers it may ask tokens for (RFC 8707). */
  resources?: string[];
  /** Set when these are a resource server's credentials: they may use no grant. */
  resourceServer?: { id: string; identifier: string };
}

/** Session-minted tokens name this built-in client: it has no secret and no row. */
export const CONSOLE_CLIENT_ID = 'tessera-console';
