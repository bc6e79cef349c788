import { Column, Entity, PrimaryColumn } from 'typeorm';

export type TenantStatus = 'active' | 'disabled';

/** RLS: a tenant sees its own row; the cross-tenant path sees all. */
@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text', unique: true })
  slug: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: 'active' })
  status: TenantStatus;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
