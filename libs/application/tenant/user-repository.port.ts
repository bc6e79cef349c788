import type { User } from '@tessera/domain/tenant/user';

/** Global identities keyed by (issuer, subject); written at sign-in, before any tenant is chosen. */
export interface UserRepository {
  /** Creates or refreshes email/name; an over-long display name is truncated, not refused. */
  upsert(issuer: string, subject: string, email: string | null, name: string | null): Promise<User>;
  /** Only users that are members of the tenant in context are visible. */
  byId(id: string): Promise<User | undefined>;
}
