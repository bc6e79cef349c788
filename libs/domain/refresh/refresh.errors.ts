import { DomainError } from '../shared/domain-error';

export const refreshInvalid = () =>
  new DomainError('invalid_grant', 'the refresh token is invalid, expired or revoked');
export const refreshReused = () =>
  new DomainError('invalid_grant', 'the refresh token was already used; its family is revoked');
export const refreshWrongClient = () =>
  new DomainError('invalid_grant', 'the refresh token was issued to another client');
