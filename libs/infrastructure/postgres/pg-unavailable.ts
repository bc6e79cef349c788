import { DomainError } from '@tessera/domain/shared/domain-error';
import { pgError } from './pg-errors';

/*
 * SQLSTATEs that mean "the database cannot take this now", not "this statement is wrong":
 * connection exceptions (08), too many connections (53300), out of memory/disk (53), a
 * statement or lock timeout (57014, 55P03), an administrator or crash shutdown (57P0x).
 */
const TRANSIENT_STATE = /^(08|53|57P0|57014$|55P03$)/;
/** node-postgres' own errors have no SQLSTATE: pool exhaustion, a connection that died. */
const TRANSIENT_MESSAGE =
  /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i;

export function isDatabaseUnavailable(e: unknown): boolean {
  const { code } = pgError(e);
  if (code) return TRANSIENT_STATE.test(code);
  return e instanceof Error && TRANSIENT_MESSAGE.test(e.message);
}

/** The 503 a caller gets while the database is saturated or away: try again shortly. */
export function databaseBusy(retryAfter = 1, cause?: unknown): DomainError {
  return new DomainError('temporarily_unavailable', 'the token store is busy; retry shortly', {
    retryAfter,
    cause,
  });
}
