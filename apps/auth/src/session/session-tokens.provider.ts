import { DomainError } from '@tessera/domain/shared/domain-error';
import { SessionTokens } from '@tessera/application/session/session-tokens';

/** Until the token use cases are bound, the token routes answer 503 instead of failing boot. */
export const unavailableSessionTokens = new Proxy({} as SessionTokens, {
  // `then` stays undefined: Nest awaits what a factory returns.
  get: (_t, key) =>
    key === 'then'
      ? undefined
      : () =>
          Promise.reject(
            new DomainError('temporarily_unavailable', 'API tokens are not available yet'),
          ),
});
