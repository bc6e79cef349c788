import { LRUCache } from 'lru-cache';
import type { SecurityEventSigner } from '@tessera/application/revocation-feed/revocation-feed.ports';
import {
  SECEVENT_TYP,
  setClaims,
  type RevocationEvent,
} from '@tessera/domain/revocation/security-event';
import type { TokenSigner } from '@tessera/domain/token/token-signer.port';

/**
 * SETs are signed when first delivered to a resource server, then kept here by (resource
 * server, event, kid): every replica's stream and every redelivery reuse that one signature.
 * Not signed when written: that would put one RSA signature per event and resource server
 * (~6 ms each at RSA-4096) inside the revocation's transaction, holding its locks, and store
 * signatures for APIs that never poll. A restart or a key rotation signs again with the
 * current primary key, so a SET is never signed by a key that has left the JWKS.
 */
export class CachedSecurityEventSigner implements SecurityEventSigner {
  private readonly cache = new LRUCache<string, Promise<string>>({ max: 50_000 });

  constructor(
    private readonly signer: TokenSigner,
    private readonly issuer: string,
  ) {}

  sign(e: RevocationEvent, resourceServerId: string, audience: string): Promise<string> {
    const key = `${resourceServerId} ${e.seq} ${this.signer.kid}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const signing = this.signer
      .sign(setClaims(e, this.issuer, resourceServerId, audience), SECEVENT_TYP)
      .then((s) => s.token);
    this.cache.set(key, signing);
    signing.catch(() => this.cache.delete(key));
    return signing;
  }
}
