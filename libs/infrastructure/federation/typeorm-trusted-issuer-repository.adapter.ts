import type { DataSource } from 'typeorm';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { newId } from '@tessera/domain/shared/ids';
import type { Role } from '@tessera/domain/tenant/membership';
import type { TrustedIssuer } from '@tessera/domain/federation/trusted-issuer';
import type {
  NewTrustedIssuer,
  TrustedIssuerRepository,
} from '@tessera/application/exchange-token/trusted-issuer-repository.port';
import { pgError, UNIQUE_VIOLATION } from '../postgres/pg-errors';
import { TenantTransactions } from '../postgres/tenant-transaction';

interface Row {
  id: string;
  tenant_id: string;
  issuer: string;
  jwks_uri: string;
  audience: string;
  subject_prefix: string | null;
  allowed_scopes: string[];
  role: Role | null;
  status: 'active' | 'disabled';
  created_at: Date;
}

const COLUMNS =
  'id, tenant_id, issuer, jwks_uri, audience, subject_prefix, allowed_scopes, role, status, created_at';

const toTrustedIssuer = (r: Row): TrustedIssuer => ({
  id: r.id,
  tenantId: r.tenant_id,
  issuer: r.issuer,
  jwksUri: r.jwks_uri,
  audience: r.audience,
  subjectPrefix: r.subject_prefix,
  allowedScopes: r.allowed_scopes,
  role: r.role,
  status: r.status,
  createdAt: r.created_at,
});

/** trusted_issuers through TenantTransactions: RLS confines every statement to one tenant. */
export class TypeOrmTrustedIssuerRepository implements TrustedIssuerRepository {
  private readonly tx: TenantTransactions;

  constructor(ds: DataSource) {
    this.tx = new TenantTransactions(ds);
  }

  async findActive(tenantId: string, issuer: string): Promise<TrustedIssuer | undefined> {
    const rows: Row[] = await this.tx.run(
      (em) =>
        em.query(
          `SELECT ${COLUMNS} FROM tessera.trusted_issuers WHERE issuer = $1 AND status = 'active'`,
          [issuer],
        ),
      tenantId,
    );
    return rows[0] && toTrustedIssuer(rows[0]);
  }

  async create(t: NewTrustedIssuer): Promise<TrustedIssuer> {
    try {
      const rows: Row[] = await this.tx.run(
        (em) =>
          em.query(
            `INSERT INTO tessera.trusted_issuers
               (id, tenant_id, issuer, jwks_uri, audience, subject_prefix, allowed_scopes, role)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
            [
              newId('trustedIssuer'),
              t.tenantId,
              t.issuer,
              t.jwksUri,
              t.audience,
              t.subjectPrefix,
              t.allowedScopes,
              t.role,
            ],
          ),
        t.tenantId,
      );
      return toTrustedIssuer(rows[0]!);
    } catch (e) {
      if (pgError(e).code === UNIQUE_VIOLATION) {
        throw new DomainError('conflict', 'this tenant already trusts that issuer');
      }
      throw e;
    }
  }

  async list(tenantId: string): Promise<TrustedIssuer[]> {
    const rows: Row[] = await this.tx.run(
      (em) => em.query(`SELECT ${COLUMNS} FROM tessera.trusted_issuers ORDER BY created_at, id`),
      tenantId,
    );
    return rows.map(toTrustedIssuer);
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    const [, affected] = (await this.tx.run(
      (em) => em.query(`DELETE FROM tessera.trusted_issuers WHERE id = $1`, [id]),
      tenantId,
    )) as [unknown, number];
    return affected > 0;
  }
}
