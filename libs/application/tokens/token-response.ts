/** RFC 6749 §5.1 success body. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  issued_token_type?: string;
}

/** What the CLI and the session API get back in addition: ids they can show and revoke by. */
export interface MintedTokens extends TokenResponse {
  jti: string;
  expires_at: string;
  refresh_jti?: string;
}
