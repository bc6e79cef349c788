import type { Client } from '@tessera/domain/token/client';
import type { TokenResponse } from '@tessera/application/tokens/token-response';
import type { Form } from '@tessera/infrastructure/http/credentials';

/** A token request once parsed and its client authenticated and allowed this grant type. */
export interface GrantRequest {
  client: Client;
  form: Form;
  /** RFC 6749 §3.3 `scope`, split; undefined when the request named none. */
  scopes?: string[];
  /** RFC 8707 `resource` values, as given (possibly none). */
  resources: string[];
}

/** One grant type of POST /oauth/token: the controller dispatches to it by `type`. */
export interface Grant {
  readonly type: string;
  handle(req: GrantRequest): Promise<TokenResponse>;
}

/** Injection token of the grant registry (every Grant, by type). */
export const GRANTS = Symbol('Grants');
export type GrantRegistry = ReadonlyMap<string, Grant>;
