import { epochSeconds } from '../shared/clock.port';

/** RFC 8417 §2.2 `typ` of a Security Event Token. */
export const SECEVENT_TYP = 'secevent+jwt';

export type RevocationEventKind =
  'token-revoked' | 'family-revoked' | 'client-revoked' | 'subject-revoked';

/** A revocation as the feed stores it; `seq` orders a tenant's events (commit order). */
export interface RevocationEvent {
  seq: number;
  tenantId: string;
  kind: RevocationEventKind;
  /** The access token's jti, the family id, the client_id or the subject. */
  target: string;
  /** client-/subject-revoked: every token issued at or before this is revoked. */
  iatBefore?: Date;
  /** When the tokens it names have all expired: receivers may forget it then. */
  expiresAt: Date;
  createdAt: Date;
}

const EVENT_URI: Record<RevocationEventKind, string> = {
  'token-revoked': 'urn:tessera:secevent:token-revoked',
  'family-revoked': 'urn:tessera:secevent:family-revoked',
  'client-revoked': 'urn:tessera:secevent:client-revoked',
  'subject-revoked': 'urn:tessera:secevent:subject-revoked',
};

function payload(e: RevocationEvent): Record<string, string | number> {
  const exp = epochSeconds(e.expiresAt);
  const cut = e.iatBefore ? epochSeconds(e.iatBefore) : exp;
  switch (e.kind) {
    case 'token-revoked':
      return { jti: e.target, exp };
    case 'family-revoked':
      return { family_id: e.target, exp };
    case 'client-revoked':
      return { client_id: e.target, iat_before: cut, exp };
    case 'subject-revoked':
      return { sub: e.target, iat_before: cut, exp };
  }
}

/**
 * A SET's jti names the event and the resource server it was made for: stable across
 * redeliveries (the receiver acknowledges by it), different for each audience.
 */
export const setJti = (seq: number, resourceServerId: string): string =>
  `set_${seq}_${resourceServerId.replace(/^rs_/, '')}`;

/** The event's seq if `jti` is a SET made for this resource server, else undefined. */
export function seqOfSetJti(jti: unknown, resourceServerId: string): number | undefined {
  if (typeof jti !== 'string' || jti.length > 64) return undefined;
  const m = /^set_([1-9][0-9]{0,15})_([0-9a-z]{26})$/.exec(jti);
  if (!m || `rs_${m[2]}` !== resourceServerId) return undefined;
  return Number(m[1]);
}

/** RFC 8417 claims of the SET announcing `e` to the resource server `audience`. */
export function setClaims(
  e: RevocationEvent,
  issuer: string,
  resourceServerId: string,
  audience: string,
): Record<string, unknown> {
  return {
    iss: issuer,
    iat: epochSeconds(e.createdAt),
    jti: setJti(e.seq, resourceServerId),
    aud: audience,
    events: { [EVENT_URI[e.kind]]: payload(e) },
  };
}
