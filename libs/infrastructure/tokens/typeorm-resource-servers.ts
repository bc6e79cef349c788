import type { DataSource } from 'typeorm';
import { newId } from '@tessera/domain/shared/ids';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { ResourceServer } from '@tessera/domain/resource/resource-server';
import type {
  NewResourceServer,
  ResourceServerRepository,
} from '@tessera/application/resource-servers/resource-server-repository.port';
import { TenantTransactions } from '../postgres/tenant-transaction';

interface Row {
  id: string;
  tenant_id: string;
  identifier: string;
  scopes: string[];
  client_id: string;
  status: 'active' | 'disabled';
  created_at: Date;
}

const COLUMNS = 'id, tenant_id, identifier, scopes, client_id, status, created_at';
const toServer = (r: Row): ResourceServer => ({
  id: r.id,
  tenantId: r.tenant_id,
  identifier: r.identifier,
  scopes: r.scopes,
  clientId: r.client_id,
  status: r.status,
  createdAt: r.created_at,
});

const UNIQUE_VIOLATION = '23505';

/** resource_servers and client_resources, always inside the tenant's RLS transaction. */
export class TypeOrmResourceServers implements ResourceServerRepository {
  private readonly tx: TenantTransactions;

  constructor(ds: DataSource) {
    this.tx = new TenantTransactions(ds);
  }

  async create(n: NewResourceServer): Promise<ResourceServer> {
    const clientId = newId('client');
    try {
      const rows: Row[] = await this.tx.run(async (em) => {
        // The client first (the resource server points at it); no grants: it can mint nothing.
        await em.query(
          `INSERT INTO clients (id, tenant_id, name, secret_hash, grants, scopes, status)
           VALUES ($1, $2, $3, $4, '{}', '{}', 'active')`,
          [clientId, n.tenantId, n.client.name, n.client.secretHash],
        );
        return em.query(
          `INSERT INTO resource_servers (id, tenant_id, identifier, scopes, client_id)
           VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
          [newId('resourceServer'), n.tenantId, n.identifier, n.scopes, clientId],
        );
      }, n.tenantId);
      return toServer(rows[0]!);
    } catch (e) {
      if ((e as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new DomainError('conflict', 'a resource server with this identifier exists');
      }
      throw e;
    }
  }

  async list(tenantId: string): Promise<ResourceServer[]> {
    const rows: Row[] = await this.tx.run(
      (em) => em.query(`SELECT ${COLUMNS} FROM resource_servers ORDER BY created_at`),
      tenantId,
    );
    return rows.map(toServer);
  }

  async disable(tenantId: string, id: string): Promise<boolean> {
    if (typeof id !== 'string' || !/^rs_[0-9a-z]{26}$/.test(id)) return false;
    return this.tx.run(async (em) => {
      const rows: { client_id: string }[] = await em.query(
        `UPDATE resource_servers SET status = 'disabled' WHERE id = $1 RETURNING client_id`,
        [id],
      );
      if (!rows[0]) return false;
      await em.query(`UPDATE clients SET status = 'disabled' WHERE id = $1`, [rows[0].client_id]);
      return true;
    }, tenantId);
  }

  async findByIdentifier(
    tenantId: string,
    identifier: string,
  ): Promise<ResourceServer | undefined> {
    const rows: Row[] = await this.tx.run(
      (em) =>
        em.query(`SELECT ${COLUMNS} FROM resource_servers WHERE identifier = $1`, [identifier]),
      tenantId,
    );
    return rows[0] && toServer(rows[0]);
  }

  async setClientResources(
    tenantId: string,
    clientId: string,
    identifiers: string[],
  ): Promise<boolean> {
    return this.tx.run(async (em) => {
      const found: unknown[] = await em.query(
        `SELECT 1 FROM clients WHERE id = $1 AND NOT EXISTS
           (SELECT 1 FROM resource_servers WHERE client_id = $1) FOR UPDATE`,
        [clientId],
      );
      if (!found.length) return false;
      await em.query(`DELETE FROM client_resources WHERE client_id = $1`, [clientId]);
      await em.query(
        `INSERT INTO client_resources (tenant_id, client_id, resource_server_id)
         SELECT $1, $2, id FROM resource_servers WHERE identifier = ANY($3::text[])`,
        [tenantId, clientId, identifiers],
      );
      return true;
    }, tenantId);
  }
}
