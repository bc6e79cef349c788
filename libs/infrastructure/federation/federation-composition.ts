import type { AppConfig } from '@tessera/config';
import type { ExchangeMappingRepository } from '@tessera/application/exchange-token/exchange-mapping-repository.port';
import { ManageExchangeMappings } from '@tessera/application/manage-trusted-issuers/manage-exchange-mappings.use-case';
import { ManageTrustedIssuers } from '@tessera/application/manage-trusted-issuers/manage-trusted-issuers.use-case';
import type { TrustedIssuerRepository } from '@tessera/application/exchange-token/trusted-issuer-repository.port';
import type { AuditLog } from '@tessera/application/ports/audit-log.port';

/** Managing trusted issuers, with its settings read once for the server and the CLI. */
export const manageTrustedIssuers = (r: TrustedIssuerRepository, audit: AuditLog, cfg: AppConfig) =>
  new ManageTrustedIssuers(r, audit, { production: cfg.production, ownIssuer: cfg.issuer });

/** Managing exchange mappings, with the allowed claim names read once for server and CLI. */
export const manageExchangeMappings = (
  m: ExchangeMappingRepository,
  audit: AuditLog,
  cfg: AppConfig,
) => new ManageExchangeMappings(m, audit, cfg.exchange.claimNames);
