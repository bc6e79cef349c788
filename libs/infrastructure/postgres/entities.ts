import { ApiTokenEntity } from './entities/api-token.entity';
import { AuditEventEntity } from './entities/audit-event.entity';
import { ClientEntity } from './entities/client.entity';
import { DenylistEntryEntity } from './entities/denylist-entry.entity';
import { MembershipEntity } from './entities/membership.entity';
import { SigningKeyEntity } from './entities/signing-key.entity';
import { TenantEntity } from './entities/tenant.entity';
import { UserEntity } from './entities/user.entity';

export {
  ApiTokenEntity,
  AuditEventEntity,
  ClientEntity,
  DenylistEntryEntity,
  MembershipEntity,
  SigningKeyEntity,
  TenantEntity,
  UserEntity,
};

/** Every TypeORM entity; tables and their RLS policies come from migrations/. */
export const ENTITIES: Function[] = [
  TenantEntity,
  UserEntity,
  MembershipEntity,
  ClientEntity,
  ApiTokenEntity,
  DenylistEntryEntity,
  SigningKeyEntity,
  AuditEventEntity,
];
