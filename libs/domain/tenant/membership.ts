export type Role = 'owner' | 'admin' | 'member' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'admin', 'member', 'viewer'];
export const isRole = (v: unknown): v is Role => ROLES.includes(v as Role);

export interface Membership {
  tenantId: string;
  userId: string;
  role: Role;
}
