/** Every TypeORM entity; tables and their RLS policies come from migrations/. */
export const ENTITIES: Function[] = [];
