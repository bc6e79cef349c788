import { Init1763800000000 } from './1763800000000-init';
import { Tenancy1763800100000 } from './1763800100000-tenancy';
import { TrustedIssuers1763800200000 } from './1763800200000-trusted-issuers';
import { SigningKeyStore1763800300000 } from './1763800300000-signing-key-store';
import { RefreshConsumption1763800400000 } from './1763800400000-refresh-consumption';
import { ResourceServers1763800500000 } from './1763800500000-resource-servers';
import { BoundedRecords1763800700000 } from './1763800700000-bounded-records';
import { ConsoleRefreshTokens1763800750000 } from './1763800750000-console-refresh-tokens';
import { TenantIssuers1763801400000 } from './1763801400000-tenant-issuers';
import { ManagementApi1763801500000 } from './1763801500000-management-api';

/** In order. Each tenant table's RLS policy ships in the migration that creates it. */
export const MIGRATIONS = [
  Init1763800000000,
  Tenancy1763800100000,
  TrustedIssuers1763800200000,
  SigningKeyStore1763800300000,
  RefreshConsumption1763800400000,
  ResourceServers1763800500000,
  BoundedRecords1763800700000,
  ConsoleRefreshTokens1763800750000,
  TenantIssuers1763801400000,
  ManagementApi1763801500000,
];
