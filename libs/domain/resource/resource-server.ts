import { DomainError } from '../shared/domain-error';

/** An API of a tenant: tokens for it carry its identifier as `aud` (RFC 8707). */
export interface ResourceServer {
  id: string;
  tenantId: string;
  identifier: string;
  scopes: string[];
  /** The client whose credentials authenticate it (introspection, revocation feed only). */
  clientId: string;
  status: 'active' | 'disabled';
  createdAt: Date;
}

/** At most this many `resource` parameters in one token request. */
export const MAX_RESOURCES = 10;

const invalidTarget = (why: string) => new DomainError('invalid_target', why);

/**
 * RFC 8707 §2: an absolute URI without a fragment. Compared as given (no normalisation): the
 * string a client asks for is the string an API checks in `aud`.
 */
export function checkResourceIndicator(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || value.length > 2048 || /[\s\u0000-\u001f\u007f]/.test(value)) {
    throw invalidTarget('a resource is an absolute URI of at most 2048 characters');
  }
  if (value.includes('#')) throw invalidTarget('a resource must not contain a fragment');
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) || !URL.canParse(value)) {
    throw invalidTarget('a resource must be an absolute URI');
  }
  return value;
}

/** The `aud` claim for these resource servers: one string for one, an array for several. */
export function audienceOf(identifiers: readonly string[]): string | string[] {
  return identifiers.length === 1 ? identifiers[0]! : [...identifiers];
}

export const audiences = (aud: string | string[] | undefined): string[] =>
  aud === undefined ? [] : Array.isArray(aud) ? aud : [aud];
