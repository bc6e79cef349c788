import type { Id } from '../shared/ids';

/** A person as the upstream identity provider knows them; global, not tenant-scoped. */
export interface User {
  id: Id<'user'>;
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
}

export const USER_LIMITS = { issuer: 2048, subject: 255, email: 320, name: 256 } as const;
