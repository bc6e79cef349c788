import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import type { Role } from '@tessera/domain/tenant/membership';

@Entity({ name: 'memberships' })
@Unique(['tenantId', 'userId'])
export class MembershipEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @Column({ name: 'user_id', type: 'text' })
  userId: string;

  @Column({ type: 'text' })
  role: Role;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
