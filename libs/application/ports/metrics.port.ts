import type { SigningAlg } from '@tessera/domain/token/token-signer.port';

export type GrantLabel =
  'client_credentials' | 'refresh_token' | 'token_exchange' | 'session' | 'cli';

/**
 * What the token lifecycle reports to operators. Labels are bounded enums: never a tenant,
 * user, client or raw path. The prom-client adapter lives in infrastructure; a no-op stands in
 * where metrics are off (CLI, unit tests).
 */
export interface Metrics {
  tokenIssued(grant: GrantLabel, alg: SigningAlg): void;
  signDuration(alg: SigningAlg, seconds: number): void;
  refreshReuseDetected(): void;
  revocation(kind: 'access_token' | 'refresh_token' | 'family' | 'client' | 'subject'): void;
  denylistCache(result: 'hit' | 'miss'): void;
  rateLimited(scope: 'anonymous' | 'authenticated' | 'token' | 'session'): void;
  /** A kid presented on verification: tells when an old key can go. */
  kidPresented(kid: string): void;
  /** Automatic key rotations this node did (successors staged, first keys) or failed. */
  keyRotations?(outcome: 'done' | 'failed', n: number): void;
  /** Tenant keys across every tenant (ISSUER_MODE=tenant): aggregated, never per tenant. */
  tenantKeys?(
    byStatus: Record<'staged' | 'active' | 'retiring', number>,
    oldestActiveAgeSeconds: number,
  ): void;
}

export const noopMetrics: Metrics = {
  tokenIssued: () => {},
  signDuration: () => {},
  refreshReuseDetected: () => {},
  revocation: () => {},
  denylistCache: () => {},
  rateLimited: () => {},
  kidPresented: () => {},
};
