import type { DataSource } from 'typeorm';
import type {
  ExchangeMappingRepository,
  NewExchangeMapping,
} from '@tessera/application/exchange-token/exchange-mapping-repository.port';
import type { ClaimValue, ExchangeMapping } from '@tessera/domain/federation/exchange-mapping';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { newId } from '@tessera/domain/shared/ids';
import type { Role } from '@tessera/domain/tenant/membership';
import { FOREIGN_KEY_VIOLATION, pgError } from '../postgres/pg-errors';
import { TenantTransactions } from '../postgres/tenant-transaction';

interface Row {
  id: string;
  tenant_id: string;
  trusted_issuer_id: string;
  priority: number;
  match: Record<string, string>;
  scopes: string[];
  role: Role | null;
  claims: Record<string, ClaimValue>;
  resources: string[];
  created_at: Date;
}

const COLUMNS =
  'id, tenant_id, trusted_issuer_id, priority, match, scopes, role, claims, resources, created_at';

const toMapping = (r: Row): ExchangeMapping => ({
  id: r.id,
  tenantId: r.tenant_id,
  trustedIssuerId: r.trusted_issuer_id,
  priority: r.priority,
  match: r.match,
  scopes: r.scopes,
  role: r.role,
  claims: r.claims,
  resources: r.resources,
  createdAt: r.created_at,
});

/** exchange_mappings through TenantTransactions: RLS confines every statement to one tenant. */
export class TypeOrmExchangeMappingRepository implements ExchangeMappingRepository {
  private readonly tx: TenantTransactions;

  constructor(ds: DataSource) {
    this.tx = new TenantTransactions(ds);
  }

  async forIssuer(tenantId: string, trustedIssuerId: string): Promise<ExchangeMapping[]> {
    const rows: Row[] = await this.tx.run(
      (em) =>
        em.query(
          `SELECT ${COLUMNS} FROM tessera.exchange_mappings WHERE trusted_issuer_id = $1
            ORDER BY priority, id`,
          [trustedIssuerId],
        ),
      tenantId,
    );
    return rows.map(toMapping);
  }

  async create(m: NewExchangeMapping): Promise<ExchangeMapping> {
    try {
      const rows: Row[] = await this.tx.run(
        (em) =>
          em.query(
            `INSERT INTO tessera.exchange_mappings
               (id, tenant_id, trusted_issuer_id, priority, match, scopes, role, claims, resources)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9) RETURNING ${COLUMNS}`,
            [
              newId('exchangeMapping'),
              m.tenantId,
              m.trustedIssuerId,
              m.priority,
              JSON.stringify(m.match),
              m.scopes,
              m.role,
              JSON.stringify(m.claims),
              m.resources,
            ],
          ),
        m.tenantId,
      );
      return toMapping(rows[0]!);
    } catch (e) {
      // The composite key names (tenant, issuer): another tenant's issuer is "no such issuer".
      if (pgError(e).code === FOREIGN_KEY_VIOLATION) {
        throw new DomainError('not_found', 'no such trusted issuer in this tenant');
      }
      throw e;
    }
  }

  async remove(tenantId: string, trustedIssuerId: string, id: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.run(
      (em) =>
        em.query(
          `DELETE FROM tessera.exchange_mappings WHERE id = $1 AND trusted_issuer_id = $2
           RETURNING id`,
          [id, trustedIssuerId],
        ),
      tenantId,
    );
    return rows.length > 0;
  }
}
