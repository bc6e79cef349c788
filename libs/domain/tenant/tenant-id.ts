import { isId, type Id } from '../shared/ids';

export type TenantId = Id<'tenant'>;
export const isTenantId = (v: unknown): v is TenantId => isId('tenant', v);

/** Lower-case DNS-label-like slugs: they appear in URLs and group names. */
export const TENANT_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const isTenantSlug = (v: unknown): v is string =>
  typeof v === 'string' && TENANT_SLUG.test(v);
