import type { Client, ClientGrant } from '@tessera/domain/token/client';

export interface NewClient {
  tenantId: string;
  name: string;
  secretHash: Buffer;
  grants: ClientGrant[];
  scopes: string[];
}

export interface ClientPage {
  after?: string;
  limit: number;
}

export interface ClientRepository {
  /** Resolves a client_id to its client across tenants: the client names its own tenant. */
  findForAuthentication(clientId: string): Promise<Client | undefined>;
  create(client: NewClient): Promise<Client>;
  /** Oldest first; with `page`, by id (TypeIDs sort by creation) after `after`, at most `limit`. */
  list(tenantId: string, page?: ClientPage): Promise<Client[]>;
  rotateSecret(tenantId: string, clientId: string, secretHash: Buffer): Promise<boolean>;
  disable(tenantId: string, clientId: string): Promise<boolean>;
  /** Replaces the grants and scopes; false when the tenant has no such client. */
  setGrants(
    tenantId: string,
    clientId: string,
    to: { grants: ClientGrant[]; scopes: string[] },
  ): Promise<boolean>;
}
