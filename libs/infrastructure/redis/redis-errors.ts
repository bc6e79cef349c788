import { ReplyError } from 'ioredis';
import { DomainError } from '@tessera/domain/shared/domain-error';

/** Server replies that mean "not now" rather than "wrong command": retrying later may succeed. */
const TRANSIENT_REPLY = /^(OOM|LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/;

/**
 * Redis being unreachable (no offline queue: the client rejects at once), closing or refusing
 * writes becomes the one error the HTTP filter answers with 503. Anything else is a bug and
 * is rethrown as it is.
 */
export function whenRedisFails(e: unknown): never {
  if (e instanceof DomainError) throw e;
  if (e instanceof ReplyError && !TRANSIENT_REPLY.test((e as Error).message)) throw e;
  if (e instanceof Error && !(e instanceof ReplyError) && !isConnectionError(e)) throw e;
  throw new DomainError('temporarily_unavailable', 'the token store is unavailable', { cause: e });
}

/** ioredis reports a missing connection with plain Errors; these are their shapes. */
function isConnectionError(e: Error): boolean {
  const code = (e as { code?: string }).code ?? '';
  return (
    e.name === 'MaxRetriesPerRequestError' ||
    /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)/.test(code) ||
    /Stream isn't writeable|Connection is closed|Socket closed|connect ETIMEDOUT|Command timed out/i.test(
      e.message,
    )
  );
}
