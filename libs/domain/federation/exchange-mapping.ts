import { DomainError } from '../shared/domain-error';
import { SCOPE_TOKEN } from '../token/access-claims';
import { isRole, ROLES, type Role } from '../tenant/membership';

/**
 * A rule of a trusted issuer: when a subject token's claims match, the exchange grants the
 * rule's scopes, role and extra claims, and only the rule's resources (when it names any).
 * Rules are tried by `priority` (lowest first, then oldest); the first match wins.
 */
export interface ExchangeMapping {
  id: string;
  tenantId: string;
  trustedIssuerId: string;
  priority: number;
  /** Claim path (`sub`, `kubernetes.io/namespace`) → exact value, or a `*` pattern. */
  match: Readonly<Record<string, string>>;
  scopes: string[];
  role: Role | null;
  claims: Readonly<Record<string, ClaimValue>>;
  /** RFC 8707 resource identifiers the token may be for; empty: any the client may ask. */
  resources: string[];
  createdAt: Date;
}

export type ClaimValue = string | number | boolean | string[];

export interface ExchangeMappingSpec {
  priority?: number;
  match?: Record<string, unknown>;
  scopes?: string[];
  role?: string;
  claims?: Record<string, unknown>;
  resources?: string[];
}

export type ValidExchangeMapping = Pick<
  ExchangeMapping,
  'priority' | 'match' | 'scopes' | 'role' | 'claims' | 'resources'
>;

/**
 * Never settable by a mapping, whatever the allow-list says: the registered JWT claims
 * (RFC 7519 §4.1), what RFC 9068 / RFC 8693 give a meaning, and Tessera's own.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'client_id',
  'scope',
  'scp',
  'org',
  'role',
  'roles',
  'act',
  'may_act',
  'cnf',
  'azp',
  'auth_time',
  'acr',
  'amr',
  'sid',
  'typ',
  'tenant',
  'groups',
  'entitlements',
]);

export const CLAIM_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const CLAIM_PATH = /^[A-Za-z0-9_.:-]{1,64}(\/[A-Za-z0-9_.:-]{1,64}){0,3}$/;
const invalid = (why: string) => new DomainError('invalid_request', why);

function checkClaimValue(name: string, v: unknown): ClaimValue {
  if (typeof v === 'string' && v.length <= 256) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'boolean') return v;
  if (
    Array.isArray(v) &&
    v.length <= 20 &&
    v.every((s) => typeof s === 'string' && s.length <= 256)
  ) {
    return v as string[];
  }
  throw invalid(`claim "${name}" is a string, number, boolean or up to 20 strings`);
}

/** `allowedClaims`: the operator's allow-list (EXCHANGE_CLAIM_NAMES), minus RESERVED_CLAIMS. */
export function validateExchangeMapping(
  spec: ExchangeMappingSpec,
  allowedClaims: readonly string[],
): ValidExchangeMapping {
  const priority = spec.priority ?? 100;
  if (!Number.isInteger(priority) || priority < 0 || priority > 10_000) {
    throw invalid('priority is an integer from 0 to 10000');
  }
  const rawMatch = spec.match ?? {};
  if (typeof rawMatch !== 'object' || rawMatch === null || Array.isArray(rawMatch)) {
    throw invalid('match is an object of claim path → value or pattern');
  }
  const entries = Object.entries(rawMatch);
  if (entries.length === 0 || entries.length > 10) {
    throw invalid('match names 1-10 claims (a rule that matches everything: match {"sub": "*"})');
  }
  const match: Record<string, string> = {};
  for (const [path, pattern] of entries) {
    if (!CLAIM_PATH.test(path)) throw invalid(`"${path.slice(0, 64)}" is not a claim path`);
    if (typeof pattern !== 'string' || !pattern || pattern.length > 256) {
      throw invalid(`the pattern for "${path}" is 1-256 characters`);
    }
    match[path] = pattern;
  }
  const scopes = [...new Set(spec.scopes ?? [])];
  if (scopes.length > 100 || scopes.some((s) => s.length > 128 || !SCOPE_TOKEN.test(s))) {
    throw new DomainError('invalid_scope', 'scopes are RFC 6749 scope tokens');
  }
  const role = spec.role || null;
  if (role !== null && !isRole(role)) throw invalid(`the role must be one of ${ROLES.join(', ')}`);
  const claims: Record<string, ClaimValue> = {};
  const rawClaims = spec.claims ?? {};
  if (typeof rawClaims !== 'object' || rawClaims === null || Array.isArray(rawClaims)) {
    throw invalid('claims is an object of claim name → value');
  }
  for (const [name, v] of Object.entries(rawClaims)) {
    if (RESERVED_CLAIMS.has(name))
      throw invalid(`the claim "${name}" can never be set by a mapping`);
    if (!CLAIM_NAME.test(name) || !allowedClaims.includes(name)) {
      throw invalid(
        `the claim "${name.slice(0, 40)}" is not in the allow-list (EXCHANGE_CLAIM_NAMES: ${allowedClaims.join(', ') || 'empty'})`,
      );
    }
    claims[name] = checkClaimValue(name, v);
  }
  const resources = [...new Set(spec.resources ?? [])];
  if (resources.length > 20 || resources.some((r) => typeof r !== 'string' || r.length > 2048)) {
    throw invalid('resources are up to 20 resource server identifiers');
  }
  return { priority, match, scopes, role, claims, resources };
}

const patterns = new Map<string, RegExp>();

/** `*` matches any run of characters (none included); everything else is literal. */
function patternRegExp(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 's');
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(pattern, re);
  }
  return re;
}

function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  let v: unknown = claims;
  for (const key of path.split('/')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const scalar = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : undefined;

/** Every named claim must match; an array claim matches when one of its elements does. */
export function mappingMatches(
  m: Pick<ExchangeMapping, 'match'>,
  claims: Readonly<Record<string, unknown>>,
): boolean {
  return Object.entries(m.match).every(([path, pattern]) => {
    const v = claimAt(claims, path);
    const values = Array.isArray(v) ? v.map(scalar) : [scalar(v)];
    const re = patternRegExp(pattern);
    return values.some((s) => s !== undefined && re.test(s));
  });
}

/** The rule that applies: lowest priority first, then the oldest. */
export function firstMatch<M extends Pick<ExchangeMapping, 'match' | 'priority' | 'id'>>(
  rules: readonly M[],
  claims: Readonly<Record<string, unknown>>,
): M | undefined {
  const ordered = [...rules].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1));
  return ordered.find((r) => mappingMatches(r, claims));
}
