import {
  manageExchangeMappings,
  manageTrustedIssuers,
} from '@tessera/infrastructure/federation/federation-composition';
import { TypeOrmExchangeMappingRepository } from '@tessera/infrastructure/federation/typeorm-exchange-mapping-repository.adapter';
import { TypeOrmTrustedIssuerRepository } from '@tessera/infrastructure/federation/typeorm-trusted-issuer-repository.adapter';
import { cliAuditLog } from '../wiring/cli-audit';
import { withTenantUseCase } from '../wiring/tenant-flag';

/** The trusted-issuer use case for one command, composed as the server composes it. */
export const withTrustedIssuers = withTenantUseCase((db) =>
  manageTrustedIssuers(new TypeOrmTrustedIssuerRepository(db.dataSource), cliAuditLog(db), db.cfg),
);

/** The exchange-mapping use case for one command, composed as the server composes it. */
export const withExchangeMappings = withTenantUseCase((db) =>
  manageExchangeMappings(
    new TypeOrmExchangeMappingRepository(db.dataSource),
    cliAuditLog(db),
    db.cfg,
  ),
);
