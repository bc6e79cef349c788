import { Init1763800000000 } from './1763800000000-init';

/** In order. Each tenant table's RLS policy ships in the migration that creates the table. */
export const MIGRATIONS = [Init1763800000000];
