/**
 * Scopes of the management API. `tessera:manage` acts on the token's own tenant (`org`);
 * `tessera:platform` may create and disable tenants, and only a client of the platform tenant
 * may hold it (`admin client create`): no tenant can grant it to one of its clients.
 */
export const MANAGE_SCOPE = 'tessera:manage';
export const PLATFORM_SCOPE = 'tessera:platform';
/** The platform tenant's slug: created by `admin client create`, never by `tenant create`. */
export const PLATFORM_TENANT_SLUG = 'tessera-platform';
