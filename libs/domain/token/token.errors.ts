import { DomainError } from '../shared/domain-error';

export const invalidToken = (why = 'the access token is invalid') =>
  new DomainError('invalid_token', why);
export const tokenRevoked = () => new DomainError('invalid_token', 'the access token was revoked');
