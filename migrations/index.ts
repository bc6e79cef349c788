import { Init1763800000000 } from './1763800000000-init';
import { Tenancy1763800100000 } from './1763800100000-tenancy';

/** In order. Each tenant table's RLS policy ships in the migration that creates it. */
export const MIGRATIONS = [Init1763800000000, Tenancy1763800100000];
