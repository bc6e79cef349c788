import { fromString, typeidUnboxed } from 'typeid-js';

/** TypeIDs (`prefix_` + UUIDv7 in base32): an id says what it names in logs and the CLI. */
export const ID_PREFIXES = {
  tenant: 'org',
  user: 'user',
  client: 'cli',
  token: 'tok',
  key: 'key',
  audience: 'aud',
  family: 'fam',
  session: 'ses',
  membership: 'mem',
  event: 'evt',
  trustedIssuer: 'tis',
  resourceServer: 'rs',
  exchangeMapping: 'xm',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
export type Id<K extends IdKind> = `${(typeof ID_PREFIXES)[K]}_${string}`;

export const newId = <K extends IdKind>(kind: K): Id<K> =>
  typeidUnboxed(ID_PREFIXES[kind]) as Id<K>;

export function isId<K extends IdKind>(kind: K, value: unknown): value is Id<K> {
  if (typeof value !== 'string' || value.length > 64) return false;
  try {
    fromString(value, ID_PREFIXES[kind]);
    return true;
  } catch {
    return false;
  }
}
