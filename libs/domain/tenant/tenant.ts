import type { TenantId } from './tenant-id';

export type TenantStatus = 'active' | 'disabled';

export interface Tenant {
  id: TenantId;
  slug: string;
  name: string;
  status: TenantStatus;
  createdAt: Date;
}

/** Names are shown to people and in logs: printable, one line, bounded. */
export const TENANT_NAME_MAX = 200;
export const isTenantName = (v: unknown): v is string =>
  typeof v === 'string' &&
  v.trim().length > 0 &&
  v.length <= TENANT_NAME_MAX &&
  // eslint-disable-next-line no-control-regex
  !/[\u0000-\u001f\u007f]/.test(v);
