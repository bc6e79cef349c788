import type { RevocationEvent } from '@tessera/domain/revocation/security-event';

export interface PollQuery {
  tenantId: string;
  resourceServerId: string;
  stream: string;
  /** Seqs the receiver acknowledged (from SET jtis made for it). */
  acked: number[];
  maxEvents: number;
}

/** Delivery state per (resource server, stream), and the tenant's events in commit order. */
export interface RevocationFeedStore {
  /** Applies the acks, then reads up to maxEvents unacknowledged, unexpired events. */
  poll(q: PollQuery): Promise<{ events: RevocationEvent[]; moreAvailable: boolean }>;
}

/** Signs SETs (RFC 8417) with Tessera's signing keys. */
export interface SecurityEventSigner {
  sign(e: RevocationEvent, resourceServerId: string, audience: string): Promise<string>;
}

/**
 * Resolves when a revocation may have been written (on any node), or after `ms`: true. False
 * when the node is shutting down (answer now, without touching the database again).
 */
export interface RevocationWaiter {
  /** A counter of revocations heard so far: read it BEFORE querying the store. */
  heard(): number;
  /**
   * Resolves at once when a revocation was heard since `since` (a `heard()` value), so one that
   * lands between the store query and this call is not missed until the deadline.
   */
  wait(ms: number, signal?: AbortSignal, since?: number): Promise<boolean>;
}
