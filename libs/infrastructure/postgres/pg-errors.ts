/** The SQLSTATE and constraint of a pg error, through TypeORM's QueryFailedError wrapper. */
export function pgError(e: unknown): { code?: string; constraint?: string } {
  const inner = (e as { driverError?: unknown })?.driverError ?? e;
  const { code, constraint } = (inner ?? {}) as { code?: unknown; constraint?: unknown };
  return {
    code: typeof code === 'string' ? code : undefined,
    constraint: typeof constraint === 'string' ? constraint : undefined,
  };
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';
export const CHECK_VIOLATION = '23514';
