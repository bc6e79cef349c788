/** Every injection token in one place; bound to adapters only in infrastructure modules. */
export const DI = {
  KeyRing: Symbol('KeyRing'),
  KeyStore: Symbol('KeyStore'),
  TokenSigner: Symbol('TokenSigner'),
  TokenVerifier: Symbol('TokenVerifier'),
  SignatureVerifier: Symbol('SignatureVerifier'),
  TokenIssuer: Symbol('TokenIssuer'),
  RefreshStore: Symbol('RefreshStore'),
  Denylist: Symbol('Denylist'),
  Clock: Symbol('Clock'),
  DataSource: Symbol('TesseraDataSource'),
  EmbeddedPostgres: Symbol('EmbeddedPostgres'),
  Redis: Symbol('Redis'),
  KeyEvents: Symbol('KeyEvents'),
  Metrics: Symbol('Metrics'),
  AuditLog: Symbol('AuditLog'),
  TenantTransactions: Symbol('TenantTransactions'),
} as const;
