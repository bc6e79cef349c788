import type { DataSource } from 'typeorm';
import type { AppConfig } from '@tessera/config';
import type { AuditLog } from '@tessera/application/ports/audit-log.port';
import type { Metrics } from '@tessera/application/ports/metrics.port';
import { RevokeAllTokensUseCase } from '@tessera/application/revoke-token/revoke-all-tokens.use-case';
import { RevokeTokenUseCase } from '@tessera/application/revoke-token/revoke-token.use-case';
import type { RefreshLedger } from '@tessera/application/tokens/refresh-ledger.port';
import type { TokenRecords } from '@tessera/application/tokens/token-records.port';
import type { TokenSettings } from '@tessera/application/tokens/token-settings';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import type { Denylist } from '@tessera/domain/revocation/denylist.port';
import type { Clock } from '@tessera/domain/shared/clock.port';
import type { IssuerSettings } from '@tessera/domain/token/token-issuer';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import { TypeOrmPrincipalRevocations } from './typeorm-principal-revocations';

/** The token issuer's settings from the config: one reading for the server and the CLI. */
export const issuerSettings = (cfg: AppConfig): IssuerSettings => ({
  issuer: cfg.issuer,
  audience: cfg.tokens.audience,
  accessTtl: cfg.tokens.accessTtl,
});

/** Refresh-token lifetimes from the config: one reading for the server and the CLI. */
export const tokenSettings = (cfg: AppConfig): TokenSettings => ({
  refreshTtl: cfg.tokens.refreshTtl,
  refreshGrace: cfg.tokens.refreshGrace,
  refreshFamilyLifetime: cfg.tokens.refreshFamilyLifetime,
});

/** Where a revocation goes: the refresh store, the denylist, and the records of what was issued. */
export interface RevocationParts {
  refresh: RefreshStore;
  denylist: Denylist;
  metrics: Metrics;
}

/** RevokeToken, its leeway read once, for the server and the CLI. */
export const revokeToken = (
  p: RevocationParts & {
    verifier: TokenVerifier;
    records: TokenRecords;
    audit: AuditLog;
    ledger: RefreshLedger;
    clock: Clock;
  },
  cfg: AppConfig,
) =>
  new RevokeTokenUseCase(
    p.verifier,
    p.refresh,
    p.denylist,
    p.records,
    p.metrics,
    p.audit,
    cfg.tokens.leeway,
    p.ledger,
    p.clock,
  );

/** RevokeAllTokens (a client's or a subject's), its cut-off settings read once. */
export const revokeAllTokens = (p: RevocationParts & { ds: DataSource }, cfg: AppConfig) =>
  new RevokeAllTokensUseCase(
    new TypeOrmPrincipalRevocations(p.ds),
    p.refresh,
    p.denylist,
    p.metrics,
    cfg.tokens.leeway,
    cfg.tokens.accessTtl,
  );
