import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A revoked jti until its token would have expired; `seq` orders incremental resyncs. */
@Entity({ name: 'token_denylist' })
export class DenylistEntryEntity {
  @PrimaryColumn({ type: 'text' })
  jti: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** bigint comes back as a string from pg; written only by Postgres (GENERATED ALWAYS). */
  @Column({ type: 'bigint', insert: false, update: false })
  seq: string;
}
