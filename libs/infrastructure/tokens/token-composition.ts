import type { AppConfig } from '@tessera/config';
import type { TokenSettings } from '@tessera/application/tokens/token-settings';
import type { IssuerSettings } from '@tessera/domain/token/token-issuer';

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
