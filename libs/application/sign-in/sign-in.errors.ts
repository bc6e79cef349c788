import { DomainError } from '@tessera/domain/shared/domain-error';

export const signInNotConfigured = () =>
  new DomainError('temporarily_unavailable', 'sign-in is not configured on this server');
export const loginExpired = () =>
  new DomainError(
    'access_denied',
    'this sign-in was not started in this browser or has expired; please start again',
  );
export const stateMismatch = () =>
  new DomainError('access_denied', 'the sign-in response does not match this browser’s request');
export const upstreamRejected = () =>
  new DomainError('access_denied', 'the identity provider’s answer could not be verified');
export const noMembership = (slug: string) =>
  new DomainError('access_denied', `your account has no access to the tenant "${slug}"`);
