import { DomainError } from '../shared/domain-error';

export const unknownTenant = () => new DomainError('invalid_request', 'unknown tenant');
export const tenantDisabled = () => new DomainError('access_denied', 'the tenant is disabled');
export const badSlug = () =>
  new DomainError(
    'invalid_request',
    'a tenant slug is 1-63 lower-case letters, digits or hyphens, not starting or ending with a hyphen',
  );
