import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A tenant's service client; `id` is the OAuth client_id, the secret only as a SHA-256 digest. */
@Entity({ name: 'clients' })
export class ClientEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'secret_hash', type: 'bytea' })
  secretHash: Buffer;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  grants: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  @Column({ type: 'text', default: 'active' })
  status: 'active' | 'disabled';

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'secret_rotated_at', type: 'timestamptz', nullable: true })
  secretRotatedAt: Date | null;
}
