import path from 'node:path';
import { envSchema, type Env } from './schema';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { CLAIM_NAME, RESERVED_CLAIMS } from '@tessera/domain/federation/exchange-mapping';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`invalid configuration: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

export interface AppConfig {
  env: Env['NODE_ENV'];
  production: boolean;
  http: { host: string; port: number; bodyLimit: string; trustProxy: string };
  issuer: string;
  tokens: {
    audience: string;
    accessTtl: number;
    refreshTtl: number;
    refreshGrace: number;
    refreshFamilyLifetime: number;
    leeway: number;
  };
  dataDir: string;
  database: {
    url?: string;
    adminUrl?: string;
    poolSize: number;
    runMigrations: boolean;
  };
  /** evictionPolicyChecked: an operator confirmed noeviction by hand (CONFIG disabled). */
  redis: { url?: string; evictionPolicyChecked: boolean };
  /**
   * api_tokens: rows are pruned `retention` seconds past expiry, every `pruneIntervalMs`, in
   * batches of `pruneBatch`; the group commit holds at most `queueLimit` pending rows
   * (`tenantQueueLimit` per tenant) and writes with at most `writers` connections at once.
   */
  tokenRecords: {
    retention: number;
    pruneIntervalMs: number;
    pruneBatch: number;
    queueLimit: number;
    tenantQueueLimit: number;
    writers: number;
  };
  /** Milliseconds an unknown client_id is remembered as unknown. */
  clients: { negativeCacheMs: number };
  /** Seconds between incremental denylist resyncs from Postgres (the broadcast's safety net). */
  denylist: { syncInterval: number };
  /** Seconds a long poll of the revocation feed is held open with nothing to deliver. */
  revocationFeed: { maxWait: number };
  keys: {
    dir?: string;
    primary?: string;
    devAlg: SigningAlg;
    encryptionSecret?: string;
    /** Seconds a staged key (database key store) is published before it signs. */
    publishDelay: number;
    /** Milliseconds between reloads of the database key set. */
    reloadIntervalMs: number;
    /** Seconds from the newest key's creation to its successor's; 0 = no automatic rotation. */
    rotationInterval: number;
    /** Milliseconds between checks for due rotations (every node; one wins each step). */
    rotationCheckMs: number;
  };
  /**
   * platform: one issuer (ISSUER) and one key set for every tenant; tenant: iss = ISSUER/t/{slug}
   * with each tenant's own keys, attested by the platform trust anchor (docs/tenant-issuers.md).
   */
  issuerMode: 'platform' | 'tenant';
  tenantKeys: { alg: SigningAlg; rsaBits: number; cacheSize: number; jwksMaxAge: number };
  oidc: {
    issuerUrl?: string;
    clientId?: string;
    clientSecret?: string;
    redirectUri?: string;
    postLogoutRedirectUri?: string;
    groupsScope: string;
    groupsClaim: string;
    groupPattern: string;
    /** Seconds: back-channel logout tokens older than this (by `iat`) are refused. */
    logoutTokenMaxAge: number;
  };
  session: { idleTtl: number; absoluteTtl: number; pendingLoginTtl: number };
  metrics: { allowCidrs: string[]; port?: number };
  /** Claim names token-exchange mappings may set (EXCHANGE_CLAIM_NAMES). */
  exchange: { claimNames: string[] };
  /** The management API's own listener; undefined when MANAGEMENT_PORT=off. */
  management?: { host: string; port: number };
  /**
   * Requests per window: unauthenticated (or failed) per client IP, authenticated per principal
   * (client, token subject or session), per client at /oauth/token, per session minting.
   */
  rateLimit: {
    enabled: boolean;
    windowSeconds: number;
    anonymous: number;
    authenticated: number;
    token: number;
    sessionMint: number;
  };
  logLevel: Env['LOG_LEVEL'];
  /** One readable line per event, for a person at a terminal; JSON for everything else. */
  logPretty: boolean;
}

/** Parses the environment once; the first bad variable becomes a one-line ConfigError. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const oidc = [e.OIDC_ISSUER_URL, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET, e.OIDC_REDIRECT_URI];
  if (oidc.some(Boolean) && !oidc.every(Boolean)) {
    const missing = [
      'OIDC_ISSUER_URL',
      'OIDC_CLIENT_ID',
      'OIDC_CLIENT_SECRET',
      'OIDC_REDIRECT_URI',
    ][oidc.findIndex((v) => !v)]!;
    throw new ConfigError(missing, 'is required when any OIDC_* variable is set');
  }
  if (production && !e.ISSUER) throw new ConfigError('ISSUER', 'is required in production');
  if (production && e.OIDC_ISSUER_URL?.startsWith('http:')) {
    throw new ConfigError('OIDC_ISSUER_URL', 'must be https in production');
  }
  if (e.TOKEN_RECORD_RETENTION < e.CLOCK_SKEW_LEEWAY) {
    // A token is accepted until exp + leeway; revoking it by jti needs its record until then.
    throw new ConfigError('TOKEN_RECORD_RETENTION', 'must be at least CLOCK_SKEW_LEEWAY');
  }
  if (e.TOKEN_RECORD_WRITERS !== undefined && e.TOKEN_RECORD_WRITERS >= e.DATABASE_POOL_SIZE) {
    throw new ConfigError('TOKEN_RECORD_WRITERS', 'must be below DATABASE_POOL_SIZE');
  }
  if (e.ISSUER_MODE === 'tenant' && (!e.KEY_ENCRYPTION_SECRET || e.SIGNING_KEYS_DIR)) {
    // Tenant keys live sealed in the database, next to the platform's (docs/tenant-issuers.md).
    throw new ConfigError(
      'ISSUER_MODE',
      'tenant needs KEY_ENCRYPTION_SECRET (and SIGNING_KEYS_DIR unset): tenant keys are sealed in the database',
    );
  }
  if (e.DATABASE_ADMIN_URL && !e.DATABASE_URL) {
    throw new ConfigError('DATABASE_URL', 'is required when DATABASE_ADMIN_URL is set');
  }
  // PORT=0 asks for a free port: the management listener then takes a free one too, unless
  // told otherwise (two servers started that way must not both reach for 3001).
  const mgmtDefault = source.MANAGEMENT_PORT === undefined && e.PORT === 0 ? 0 : e.MANAGEMENT_PORT;
  const mgmtPort = mgmtDefault === 'off' ? undefined : mgmtDefault;
  // One port, two apps: the management API must never answer on the public port.
  if (mgmtPort !== undefined && mgmtPort !== 0 && mgmtPort === e.PORT) {
    throw new ConfigError('MANAGEMENT_PORT', 'must differ from PORT (or be off)');
  }
  if (mgmtPort !== undefined && mgmtPort !== 0 && mgmtPort === e.METRICS_PORT) {
    throw new ConfigError('MANAGEMENT_PORT', 'must differ from METRICS_PORT');
  }
  const claimNames = e.EXCHANGE_CLAIM_NAMES.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const badClaim = claimNames.find((c) => !CLAIM_NAME.test(c) || RESERVED_CLAIMS.has(c));
  if (badClaim !== undefined) {
    throw new ConfigError(
      'EXCHANGE_CLAIM_NAMES',
      `"${badClaim.slice(0, 40)}" is reserved or not a claim name (lower-case letters, digits, _)`,
    );
  }
  return {
    env: e.NODE_ENV,
    exchange: { claimNames },
    production,
    http: { host: e.HOST, port: e.PORT, bodyLimit: e.BODY_LIMIT, trustProxy: e.TRUST_PROXY },
    issuer: e.ISSUER ?? `http://localhost:${e.PORT}`,
    tokens: {
      audience: e.ACCESS_TOKEN_AUDIENCE,
      accessTtl: e.ACCESS_TOKEN_TTL,
      refreshTtl: e.REFRESH_TOKEN_TTL,
      refreshGrace: e.REFRESH_GRACE_PERIOD,
      refreshFamilyLifetime: e.REFRESH_FAMILY_LIFETIME,
      leeway: e.CLOCK_SKEW_LEEWAY,
    },
    dataDir: path.resolve(e.DATA_DIR),
    database: {
      url: e.DATABASE_URL,
      adminUrl: e.DATABASE_ADMIN_URL,
      poolSize: e.DATABASE_POOL_SIZE,
      runMigrations: (e.MIGRATIONS_RUN ?? (production ? 'never' : 'auto')) === 'auto',
    },
    redis: { url: e.REDIS_URL, evictionPolicyChecked: e.REDIS_EVICTION_POLICY_CHECKED },
    tokenRecords: {
      retention: e.TOKEN_RECORD_RETENTION,
      pruneIntervalMs: e.TOKEN_PRUNE_INTERVAL,
      pruneBatch: e.TOKEN_PRUNE_BATCH,
      queueLimit: e.TOKEN_RECORD_QUEUE_LIMIT,
      tenantQueueLimit: Math.min(e.TOKEN_RECORD_TENANT_QUEUE_LIMIT, e.TOKEN_RECORD_QUEUE_LIMIT),
      // Half the pool by default: client lookups, refreshes and revocations need the rest.
      writers: e.TOKEN_RECORD_WRITERS ?? Math.max(1, Math.floor(e.DATABASE_POOL_SIZE / 2)),
    },
    clients: { negativeCacheMs: e.CLIENT_NEGATIVE_CACHE_TTL },
    denylist: { syncInterval: e.DENYLIST_SYNC_INTERVAL },
    revocationFeed: { maxWait: e.REVOCATION_FEED_MAX_WAIT },
    keys: {
      dir: e.SIGNING_KEYS_DIR,
      primary: e.SIGNING_KEY_PRIMARY,
      devAlg: e.DEV_KEY_ALG,
      encryptionSecret: e.KEY_ENCRYPTION_SECRET,
      publishDelay: e.KEY_PUBLISH_DELAY,
      reloadIntervalMs: e.KEY_RELOAD_INTERVAL,
      rotationInterval: e.KEY_ROTATION_INTERVAL,
      rotationCheckMs: e.KEY_ROTATION_CHECK_INTERVAL,
    },
    issuerMode: e.ISSUER_MODE,
    tenantKeys: {
      alg: e.TENANT_KEY_ALG,
      rsaBits: e.TENANT_KEY_RSA_BITS,
      cacheSize: e.TENANT_KEY_CACHE_SIZE,
      jwksMaxAge: e.TENANT_JWKS_MAX_AGE,
    },
    oidc: {
      issuerUrl: e.OIDC_ISSUER_URL,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      redirectUri: e.OIDC_REDIRECT_URI,
      postLogoutRedirectUri: e.OIDC_POST_LOGOUT_REDIRECT_URI,
      groupsScope: e.OIDC_GROUPS_SCOPE,
      groupsClaim: e.OIDC_GROUPS_CLAIM,
      groupPattern: e.OIDC_GROUP_PATTERN,
      logoutTokenMaxAge: e.OIDC_LOGOUT_TOKEN_MAX_AGE,
    },
    session: {
      idleTtl: e.SESSION_IDLE_TIMEOUT,
      absoluteTtl: e.SESSION_ABSOLUTE_TIMEOUT,
      pendingLoginTtl: e.LOGIN_PENDING_TTL,
    },
    metrics: {
      allowCidrs: e.METRICS_ALLOW_CIDRS.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      port: e.METRICS_PORT,
    },
    ...(mgmtPort === undefined ? {} : { management: { host: e.MANAGEMENT_HOST, port: mgmtPort } }),
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      windowSeconds: e.RATE_LIMIT_WINDOW,
      anonymous: e.RATE_LIMIT_ANONYMOUS,
      authenticated: e.RATE_LIMIT_AUTHENTICATED,
      token: e.RATE_LIMIT_TOKEN,
      sessionMint: e.RATE_LIMIT_SESSION_MINT,
    },
    logLevel: e.LOG_LEVEL,
    // auto: readable in development on a terminal; JSON in production and when piped.
    logPretty:
      e.LOG_FORMAT === 'pretty' ||
      (e.LOG_FORMAT === 'auto' && !production && process.stdout.isTTY === true),
  };
}
