/** The claims a revocation check needs. */
export interface RevocableClaims {
  jti: string;
  client_id: string;
  sub: string;
  iat: number;
}

export const EVENT = {
  tokenRevoked: 'urn:tessera:secevent:token-revoked',
  familyRevoked: 'urn:tessera:secevent:family-revoked',
  clientRevoked: 'urn:tessera:secevent:client-revoked',
  subjectRevoked: 'urn:tessera:secevent:subject-revoked',
} as const;

interface CutOff {
  iatBefore: number;
  exp: number;
}

/**
 * What the feed said is revoked, in memory: a jti set and per-client / per-subject cut-offs, each
 * kept until the tokens it names have expired (+ leeway). Checked on every request: map lookups.
 */
export class RevocationReplica {
  private readonly jtis = new Map<string, number>();
  private readonly clients = new Map<string, CutOff>();
  private readonly subjects = new Map<string, CutOff>();

  constructor(private readonly leewaySeconds: number) {}

  isRevoked(c: RevocableClaims): boolean {
    if (this.jtis.has(c.jti)) return true;
    const byClient = this.clients.get(c.client_id);
    if (byClient && c.iat <= byClient.iatBefore) return true;
    const bySubject = this.subjects.get(c.sub);
    return !!bySubject && c.iat <= bySubject.iatBefore;
  }

  /** Applies one SET's `events` member; false when it is not an event this library knows. */
  apply(events: Record<string, unknown>): boolean {
    const [[type, raw]] = Object.entries(events);
    const e = (raw ?? {}) as Record<string, unknown>;
    const exp = typeof e.exp === 'number' ? e.exp : undefined;
    if (exp === undefined) return false;
    switch (type) {
      case EVENT.tokenRevoked:
        if (typeof e.jti !== 'string') return false;
        this.jtis.set(e.jti, Math.max(exp, this.jtis.get(e.jti) ?? 0));
        return true;
      case EVENT.familyRevoked:
        // Informational: the family's access tokens arrive as token-revoked events.
        return true;
      case EVENT.clientRevoked:
        return cutOff(this.clients, e.client_id, e.iat_before, exp);
      case EVENT.subjectRevoked:
        return cutOff(this.subjects, e.sub, e.iat_before, exp);
      default:
        return false;
    }
  }

  /** Forgets what has expired: a revoked token past its exp is refused by exp already. */
  prune(nowSeconds = Date.now() / 1000): void {
    const horizon = nowSeconds - this.leewaySeconds;
    for (const [k, exp] of this.jtis) if (exp < horizon) this.jtis.delete(k);
    for (const m of [this.clients, this.subjects]) {
      for (const [k, c] of m) if (c.exp < horizon) m.delete(k);
    }
  }

  get size(): { jtis: number; clients: number; subjects: number } {
    return { jtis: this.jtis.size, clients: this.clients.size, subjects: this.subjects.size };
  }
}

function cutOff(m: Map<string, CutOff>, key: unknown, iatBefore: unknown, exp: number): boolean {
  if (typeof key !== 'string' || typeof iatBefore !== 'number') return false;
  const old = m.get(key);
  // Later cut-offs subsume earlier ones: keep the latest instant and the latest expiry.
  m.set(key, {
    iatBefore: Math.max(iatBefore, old?.iatBefore ?? -Infinity),
    exp: Math.max(exp, old?.exp ?? 0),
  });
  return true;
}
