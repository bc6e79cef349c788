import type { DataSource } from 'typeorm';
import type { Client, ClientGrant } from '@tessera/domain/token/client';
import { newId } from '@tessera/domain/shared/ids';
import type {
  ClientPage,
  ClientRepository,
  NewClient,
} from '@tessera/application/tokens/client-repository.port';
import { TenantTransactions } from '../postgres/tenant-transaction';

interface ClientRow {
  id: string;
  tenant_id: string;
  name: string;
  secret_hash: Buffer;
  grants: ClientGrant[];
  scopes: string[];
  status: 'active' | 'disabled';
  resources?: string[];
  rs_id?: string | null;
  rs_identifier?: string | null;
}

const COLUMNS = 'id, tenant_id, name, secret_hash, grants, scopes, status';
/** The client with what RFC 8707 needs: its allowed resources, and whether it is one. */
const WITH_RESOURCES = `c.id, c.tenant_id, c.name, c.secret_hash, c.grants, c.scopes, c.status,
  ARRAY(SELECT rs.identifier FROM client_resources cr
          JOIN resource_servers rs ON rs.tenant_id = cr.tenant_id AND rs.id = cr.resource_server_id
         WHERE cr.tenant_id = c.tenant_id AND cr.client_id = c.id ORDER BY 1) AS resources,
  own.id AS rs_id, own.identifier AS rs_identifier`;
const FROM = `clients c LEFT JOIN resource_servers own
  ON own.tenant_id = c.tenant_id AND own.client_id = c.id`;

const toClient = (r: ClientRow): Client => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  secretHash: r.secret_hash,
  grants: r.grants,
  scopes: r.scopes,
  status: r.status,
  ...(r.resources ? { resources: r.resources } : {}),
  ...(r.rs_id && r.rs_identifier
    ? { resourceServer: { id: r.rs_id, identifier: r.rs_identifier } }
    : {}),
});

export class TypeOrmClientRepository implements ClientRepository {
  private readonly tx: TenantTransactions;

  constructor(ds: DataSource) {
    this.tx = new TenantTransactions(ds);
  }

  /** The client_id is what tells us the tenant, so this one lookup crosses tenants. */
  async findForAuthentication(clientId: string): Promise<Client | undefined> {
    const rows: ClientRow[] = await this.tx.crossTenant('client-authentication', (em) =>
      em.query(`SELECT ${WITH_RESOURCES} FROM ${FROM} WHERE c.id = $1`, [clientId]),
    );
    return rows[0] && toClient(rows[0]);
  }

  async create(c: NewClient): Promise<Client> {
    const rows: ClientRow[] = await this.tx.run(
      (em) =>
        em.query(
          `INSERT INTO clients (id, tenant_id, name, secret_hash, grants, scopes, status)
           VALUES ($1, $2, $3, $4, $5, $6, 'active') RETURNING ${COLUMNS}`,
          [newId('client'), c.tenantId, c.name, c.secretHash, c.grants, c.scopes],
        ),
      c.tenantId,
    );
    return toClient(rows[0]!);
  }

  async list(tenantId: string, page?: ClientPage): Promise<Client[]> {
    const rows: ClientRow[] = await this.tx.run(
      (em) =>
        page
          ? em.query(
              `SELECT ${WITH_RESOURCES} FROM ${FROM} WHERE ($1::text IS NULL OR c.id > $1)
                ORDER BY c.id LIMIT $2`,
              [page.after ?? null, page.limit],
            )
          : em.query(`SELECT ${WITH_RESOURCES} FROM ${FROM} ORDER BY c.created_at`),
      tenantId,
    );
    return rows.map(toClient);
  }

  async rotateSecret(tenantId: string, clientId: string, secretHash: Buffer): Promise<boolean> {
    return this.update(tenantId, clientId, 'secret_hash = $2, secret_rotated_at = now()', [
      secretHash,
    ]);
  }

  async disable(tenantId: string, clientId: string): Promise<boolean> {
    return this.update(tenantId, clientId, `status = 'disabled'`, []);
  }

  async setGrants(
    tenantId: string,
    clientId: string,
    to: { grants: ClientGrant[]; scopes: string[] },
  ): Promise<boolean> {
    return this.update(tenantId, clientId, 'grants = $2, scopes = $3', [to.grants, to.scopes]);
  }

  private async update(
    tenantId: string,
    clientId: string,
    set: string,
    params: unknown[],
  ): Promise<boolean> {
    const [, affected] = (await this.tx.run(
      (em) => em.query(`UPDATE clients SET ${set} WHERE id = $1`, [clientId, ...params]),
      tenantId,
    )) as [unknown, number];
    return affected > 0;
  }
}
