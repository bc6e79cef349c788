import type { Client, ClientGrant } from '@tessera/domain/token/client';

export interface NewClient {
  tenantId: string;
  name: string;
  secretHash: Buffer;
  grants: ClientGrant[];
  scopes: string[];
}

export interface ClientRepository {
  /** Resolves a client_id to its client across tenants: the client names its own tenant. */
  findForAuthentication(clientId: string): Promise<Client | undefined>;
  create(client: NewClient): Promise<Client>;
  list(tenantId: string): Promise<Client[]>;
  rotateSecret(tenantId: string, clientId: string, secretHash: Buffer): Promise<boolean>;
  disable(tenantId: string, clientId: string): Promise<boolean>;
}
