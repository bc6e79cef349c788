import { DomainError } from '../shared/domain-error';

export const unknownTenant = () => new DomainError('invalid_request', 'unknown tenant');
export const tenantDisabled = () => new DomainError('access_denied', 'the tenant is disabled');
export const badSlug = () =>
  new DomainError(
    'invalid_request',
    'a tenant slug is 1-63 lower-case letters, digits or hyphens, not starting or ending with a hyphen',
  );
export const badTenantName = () =>
  new DomainError('invalid_request', 'a tenant name is 1-200 printable characters on one line');
export const duplicateSlug = (slug: string) =>
  new DomainError('conflict', `a tenant with slug "${slug}" already exists`);
export const unknownUser = () => new DomainError('invalid_request', 'unknown user');
export const badRole = () =>
  new DomainError('invalid_request', 'a role is one of owner, admin, member, viewer');
export const badIdentity = (detail: string) =>
  new DomainError('invalid_request', `invalid identity: ${detail}`);
