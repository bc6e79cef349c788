import type { UserRepository } from '@tessera/application/tenant/user-repository.port';
import { isId, newId, type Id } from '@tessera/domain/shared/ids';
import { USER_LIMITS, type User } from '@tessera/domain/tenant/user';
import { badIdentity } from '@tessera/domain/tenant/tenant.errors';
import { UserEntity } from '../entities/user.entity';
import type { TenantTransactions } from '../tenant-transaction';

interface UserRow {
  id: string;
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
}

const toUser = (r: UserRow): User => ({
  id: r.id as Id<'user'>,
  issuer: r.issuer,
  subject: r.subject,
  email: r.email,
  name: r.name,
});

function required(value: unknown, field: 'issuer' | 'subject'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > USER_LIMITS[field]) {
    throw badIdentity(`${field} must be 1-${USER_LIMITS[field]} characters`);
  }
  return value;
}

/** Writes cross tenants (sign-in precedes the tenant); reads see only the tenant's members. */
export class TypeOrmUserRepository implements UserRepository {
  constructor(private readonly tx: TenantTransactions) {}

  async upsert(
    issuer: string,
    subject: string,
    email: string | null,
    name: string | null,
  ): Promise<User> {
    if (email !== null && (typeof email !== 'string' || email.length > USER_LIMITS.email)) {
      throw badIdentity(`email must be at most ${USER_LIMITS.email} characters`);
    }
    const params = [
      newId('user'),
      required(issuer, 'issuer'),
      required(subject, 'subject'),
      email || null,
      // A display name from the IdP is cosmetic: cut to fit (in code points, as Postgres
      // counts) rather than failing the sign-in.
      name ? [...name].slice(0, USER_LIMITS.name).join('') : null,
    ];
    const rows = await this.tx.crossTenant(
      'user sign-in',
      (em) =>
        em.query(
          `INSERT INTO tessera.users (id, issuer, subject, email, name) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (issuer, subject)
         DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, updated_at = now()
         RETURNING id, issuer, subject, email, name`,
          params,
        ) as Promise<UserRow[]>,
    );
    return toUser(rows[0]!);
  }

  async byId(id: string): Promise<User | undefined> {
    if (!isId('user', id)) return undefined;
    const row = await this.tx.run((em) => em.getRepository(UserEntity).findOneBy({ id }));
    return row ? toUser(row) : undefined;
  }
}
