import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Client } from '@tessera/domain/token/client';
import type { ClientRepository } from '../tokens/client-repository.port';
import type { TenantStatusReader } from '../tokens/tenant-status.port';

/** Credentials as the edge found them: at most one method may be present (RFC 6749 §2.3). */
export interface PresentedCredentials {
  basic?: { clientId: string; secret: string };
  post?: { clientId: string; secret?: string };
}

const CLIENT_ID = /^cli_[0-9a-z]{26}$/;
/** Only a well-formed id is ever looked up: anything else fails without database work. */
export const isWellFormedClientId = (id: string) => CLIENT_ID.test(id);
const failed = () => new DomainError('invalid_client', 'client authentication failed');

/** Hashes a client secret: secrets are 256-bit random, so SHA-256 suffices (README explains). */
export const hashClientSecret = (secret: string): Buffer =>
  createHash('sha256').update(secret, 'utf8').digest();

export class AuthenticateClient {
  constructor(
    private readonly clients: ClientRepository,
    private readonly tenants: TenantStatusReader,
  ) {}

  async execute(creds: PresentedCredentials): Promise<Client> {
    if (creds.basic && creds.post) {
      throw new DomainError('invalid_request', 'use one client authentication method, not two');
    }
    const presented = creds.basic ?? creds.post;
    if (!presented) throw failed();
    if (
      presented.secret === undefined ||
      presented.secret.length === 0 ||
      presented.secret.length > 512
    )
      throw failed();
    // Every failure takes the same path through a hash compare, known id or not.
    const candidate = CLIENT_ID.test(presented.clientId)
      ? await this.clients.findForAuthentication(presented.clientId)
      : undefined;
    const expected = candidate?.secretHash ?? Buffer.alloc(32);
    const ok = timingSafeEqual(
      hashClientSecret(presented.secret),
      expected.length === 32 ? expected : Buffer.alloc(32),
    );
    if (!candidate || !ok || candidate.status !== 'active') throw failed();
    if ((await this.tenants.status(candidate.tenantId)) !== 'active') throw failed();
    return candidate;
  }
}
