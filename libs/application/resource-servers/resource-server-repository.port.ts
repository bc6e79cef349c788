import type { ResourceServer } from '@tessera/domain/resource/resource-server';

export interface NewResourceServer {
  tenantId: string;
  identifier: string;
  scopes: string[];
  /** Its credentials: a client row with no grants, created in the same transaction. */
  client: { name: string; secretHash: Buffer };
}

/** Resource servers of a tenant; every call is tenant-scoped (RLS). */
export interface ResourceServerRepository {
  /** Throws DomainError conflict when the identifier is taken (in any tenant). */
  create(rs: NewResourceServer): Promise<ResourceServer>;
  list(tenantId: string): Promise<ResourceServer[]>;
  /** Disables the resource server and its client together. */
  disable(tenantId: string, id: string): Promise<boolean>;
  /** The hot-path lookup of the token endpoint: undefined for unknown or another tenant's. */
  findByIdentifier(tenantId: string, identifier: string): Promise<ResourceServer | undefined>;
  /** Replaces the resource servers a client may ask for; false if the client is unknown. */
  setClientResources(tenantId: string, clientId: string, identifiers: string[]): Promise<boolean>;
}
