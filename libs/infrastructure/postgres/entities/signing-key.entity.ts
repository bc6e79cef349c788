import { Column, Entity, PrimaryColumn } from 'typeorm';

export type SigningKeyStatus = 'staged' | 'active' | 'retiring' | 'retired';

/** Global (not tenant-scoped): one key ring signs for every tenant. */
@Entity({ name: 'signing_keys' })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'text' })
  kid: string;

  @Column({ type: 'text' })
  alg: string;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: Record<string, unknown>;

  @Column({ name: 'private_key_enc', type: 'bytea', nullable: true })
  privateKeyEnc: Buffer | null;

  @Column({ type: 'text', default: 'staged' })
  status: SigningKeyStatus;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt: Date | null;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;

  /** The latest exp of a token signed beyond ACCESS_TOKEN_TTL (docs/keys.md). */
  @Column({ name: 'max_exp', type: 'timestamptz', nullable: true })
  maxExp: Date | null;
}
