/** The slice of the tenant directory that token checks need. */
export interface TenantStatusReader {
  status(tenantId: string): Promise<'active' | 'disabled' | undefined>;
}
