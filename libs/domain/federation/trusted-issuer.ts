import { DomainError } from '../shared/domain-error';
import { SCOPE_TOKEN } from '../token/access-claims';
import { isRole, ROLES, type Role } from '../tenant/membership';

/**
 * An external OIDC issuer a tenant trusts for RFC 8693 token exchange. Its keys come only from
 * the configured `jwksUri`; a subject token must carry `iss` equal to `issuer` (exactly) and
 * `audience` in its `aud`.
 */
export interface TrustedIssuer {
  id: string;
  tenantId: string;
  issuer: string;
  jwksUri: string;
  audience: string;
  subjectPrefix: string | null;
  allowedScopes: string[];
  role: Role | null;
  status: 'active' | 'disabled';
  createdAt: Date;
}

export interface TrustedIssuerSpec {
  issuer?: string;
  jwksUri?: string;
  audience?: string;
  subjectPrefix?: string;
  scopes?: string[];
  role?: string;
}

export type ValidTrustedIssuer = Pick<
  TrustedIssuer,
  'issuer' | 'jwksUri' | 'audience' | 'subjectPrefix' | 'allowedScopes' | 'role'
>;

/** Every exchanged subject starts with this (then the trusted issuer's id and a colon). */
export const EXTERNAL_SUBJECT_PREFIX = 'ext:';

/** The longest subject Tessera records (api_tokens.subject). */
export const MAX_SUBJECT_LENGTH = 255;

const invalid = (why: string) => new DomainError('invalid_request', why);
// eslint-disable-next-line no-control-regex
const PRINTABLE_NO_SPACE = /^[^\u0000-\u0020\u007f]+$/;

/**
 * https only in production; http is for local stand-ins. No credentials or fragment: the
 * issuer is compared byte for byte with `iss` and the JWKS URL is fetched as is.
 */
export function checkIssuerUrl(
  value: string | undefined,
  what: string,
  opts: { production: boolean; allowQuery: boolean },
): string {
  if (!value) throw invalid(`${what} is required`);
  if (value.length > 2048) throw invalid(`${what} is longer than 2048 characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${what} must be an absolute URL`);
  }
  const schemes = opts.production ? ['https:'] : ['https:', 'http:'];
  if (!schemes.includes(url.protocol)) {
    throw invalid(`${what} must be an ${opts.production ? 'https' : 'http(s)'} URL`);
  }
  if (url.username || url.password || url.hash || value.includes('#')) {
    throw invalid(`${what} must not carry credentials or a fragment`);
  }
  if (!opts.allowQuery && url.search) throw invalid(`${what} must not carry a query`);
  return value;
}

export function validateTrustedIssuer(
  spec: TrustedIssuerSpec,
  opts: { production: boolean },
): ValidTrustedIssuer {
  const issuer = checkIssuerUrl(spec.issuer, 'the issuer', { ...opts, allowQuery: false });
  const jwksUri = checkIssuerUrl(spec.jwksUri, 'the JWKS URI', { ...opts, allowQuery: true });
  const audience = spec.audience ?? '';
  if (!audience || audience.length > 255 || !PRINTABLE_NO_SPACE.test(audience)) {
    throw invalid('the audience is 1-255 printable characters without spaces');
  }
  const prefix = spec.subjectPrefix || null;
  if (prefix !== null && (prefix.length > 64 || !PRINTABLE_NO_SPACE.test(prefix))) {
    throw invalid('the subject prefix is 1-64 printable characters without spaces');
  }
  const scopes = [...new Set(spec.scopes ?? [])];
  if (scopes.length > 100 || scopes.some((s) => s.length > 128 || !SCOPE_TOKEN.test(s))) {
    throw new DomainError('invalid_scope', 'scopes are space-separated RFC 6749 scope tokens');
  }
  const role = spec.role || null;
  if (role !== null && !isRole(role)) {
    throw invalid(`the role must be one of ${ROLES.join(', ')}`);
  }
  return { issuer, jwksUri, audience, subjectPrefix: prefix, allowedScopes: scopes, role };
}

/**
 * The subject of the issued token: `ext:{trusted issuer id}:{subject prefix}{external sub}`.
 * Always namespaced, whatever the prefix: an external `sub` that looks like a Tessera user or
 * client id (`user_…`, `cli_…`) can never come out equal to one, and two issuers' subjects never
 * meet. TypeIDs have no `:`, so nothing Tessera mints starts with `ext:`.
 */
export function exchangedSubject(
  trusted: Pick<TrustedIssuer, 'id' | 'subjectPrefix'>,
  externalSub: unknown,
): string {
  if (typeof externalSub !== 'string' || !externalSub || !PRINTABLE_SUB.test(externalSub)) {
    throw new DomainError('invalid_request', 'the subject token has no usable sub claim');
  }
  const subject = `${EXTERNAL_SUBJECT_PREFIX}${trusted.id}:${trusted.subjectPrefix ?? ''}${externalSub}`;
  if (subject.length > MAX_SUBJECT_LENGTH) {
    throw new DomainError('invalid_request', 'the subject token’s sub claim is too long');
  }
  return subject;
}

// eslint-disable-next-line no-control-regex
const PRINTABLE_SUB = /^[^\u0000-\u001f\u007f]+$/;
