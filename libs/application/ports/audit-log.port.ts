export type AuditAction =
  | 'sign_in'
  | 'sign_out'
  | 'token.mint'
  | 'token.revoke'
  | 'token.revoke_all'
  | 'refresh.reuse_detected'
  | 'client.create'
  | 'client.rotate_secret'
  | 'client.disable'
  | 'client.update'
  | 'client.resources'
  | 'resource_server.create'
  | 'resource_server.disable'
  | 'key.generate'
  | 'key.rotate'
  | 'key.retire'
  | 'key.revoke'
  | 'key.rotate.auto'
  | 'tenant.create'
  | 'tenant.disable'
  | 'trusted_issuer.add'
  | 'trusted_issuer.remove'
  | 'exchange_mapping.add'
  | 'exchange_mapping.remove';

export interface AuditEvent {
  /** null: a global event (signing keys), written and read only on the cross-tenant path. */
  tenantId: string | null;
  actor: string;
  action: AuditAction;
  target?: string;
  requestId?: string;
  /** Never secrets or token material: ids and names only. */
  details?: Record<string, string | number | boolean>;
}

/** Appends to the tenant's audit trail (RLS-scoped). Failures must not fail the user's request. */
export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
}
