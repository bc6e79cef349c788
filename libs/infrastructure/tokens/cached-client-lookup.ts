import { LRUCache } from 'lru-cache';
import type { Client, ClientGrant } from '@tessera/domain/token/client';
import { isWellFormedClientId } from '@tessera/application/authenticate-client/authenticate-client.use-case';
import type {
  ClientPage,
  ClientRepository,
  NewClient,
} from '@tessera/application/tokens/client-repository.port';

export interface ClientCacheOptions {
  /** How long a found client is served from memory (a disable reaches other nodes within it). */
  ttlMs?: number;
  /** How long an unknown id is answered "unknown" without asking the database. */
  negativeTtlMs?: number;
  /** How long an id stays "known" (found once) for the rate limiter's cost check. */
  knownTtlMs?: number;
  /** The cache's clock (milliseconds); tests move it by hand. */
  now?: () => number;
}

/** What the rate limiter asks before the lookup: would this id cost a database query? */
export interface ClientLookupCost {
  costsLookup(clientId: string): boolean;
}

/**
 * Client authentication happens on every token, revoke and introspect request; the client row
 * changes rarely. Found clients are kept for `ttlMs`; unknown ids for `negativeTtlMs`, in a
 * cache of their own so a flood of random ids cannot push real clients out; concurrent
 * lookups of one id share one query. A rotation or disable on this node takes effect here at
 * once and on other nodes within `ttlMs`; a client created on another node is found within
 * `negativeTtlMs` by a node that had just been asked for its id.
 */
export class CachedClientRepository implements ClientRepository, ClientLookupCost {
  private readonly found: LRUCache<string, Client>;
  private readonly missing: LRUCache<string, true>;
  private readonly known: LRUCache<string, true>;
  private readonly inFlight = new Map<string, Promise<Client | undefined>>();

  constructor(
    private readonly inner: ClientRepository,
    opts: ClientCacheOptions = {},
  ) {
    const perf = opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {};
    this.found = new LRUCache({ max: 10_000, ttl: opts.ttlMs ?? 3000, ...perf });
    this.missing = new LRUCache({ max: 50_000, ttl: opts.negativeTtlMs ?? 5000, ...perf });
    this.known = new LRUCache({ max: 50_000, ttl: opts.knownTtlMs ?? 10 * 60_000, ...perf });
  }

  findForAuthentication(clientId: string): Promise<Client | undefined> {
    const hit = this.found.get(clientId);
    if (hit) return Promise.resolve(hit);
    if (this.missing.has(clientId)) return Promise.resolve(undefined);
    const pending = this.inFlight.get(clientId);
    if (pending) return pending;
    // A rotation or disable meanwhile drops this lookup from inFlight: its answer is stale.
    const current = () => this.inFlight.get(clientId) === lookup;
    const lookup: Promise<Client | undefined> = this.inner
      .findForAuthentication(clientId)
      .then((c) => {
        if (!current()) return c;
        if (c) {
          this.found.set(clientId, c);
          this.known.set(clientId, true);
        } else this.missing.set(clientId, true);
        return c;
      })
      .finally(() => current() && this.inFlight.delete(clientId));
    this.inFlight.set(clientId, lookup);
    return lookup;
  }

  /** True only for a well-formed id this node has not seen found, with no answer at hand. */
  costsLookup(clientId: string): boolean {
    return (
      isWellFormedClientId(clientId) &&
      !this.found.has(clientId) &&
      !this.missing.has(clientId) &&
      !this.inFlight.has(clientId) &&
      !this.known.has(clientId)
    );
  }

  async create(client: NewClient): Promise<Client> {
    const created = await this.inner.create(client);
    this.missing.delete(created.id);
    return created;
  }

  list(tenantId: string, page?: ClientPage): Promise<Client[]> {
    return this.inner.list(tenantId, page);
  }

  async rotateSecret(tenantId: string, clientId: string, secretHash: Buffer): Promise<boolean> {
    this.forget(clientId);
    try {
      return await this.inner.rotateSecret(tenantId, clientId, secretHash);
    } finally {
      this.forget(clientId); // and a lookup that raced the update
    }
  }

  async disable(tenantId: string, clientId: string): Promise<boolean> {
    this.forget(clientId);
    try {
      return await this.inner.disable(tenantId, clientId);
    } finally {
      this.forget(clientId); // and a lookup that raced the update
    }
  }

  async setGrants(
    tenantId: string,
    clientId: string,
    to: { grants: ClientGrant[]; scopes: string[] },
  ): Promise<boolean> {
    this.forget(clientId);
    try {
      return await this.inner.setGrants(tenantId, clientId, to);
    } finally {
      this.forget(clientId); // and a lookup that raced the update
    }
  }

  private forget(clientId: string): void {
    this.found.delete(clientId);
    this.inFlight.delete(clientId);
  }
}
