import ipaddr from 'ipaddr.js';
import ms from 'ms';
import { z } from 'zod';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const n = /^\d+$/.test(v) ? Number(v) * 1000 : ms(v as ms.StringValue);
      if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration like 15m, 30d or 900` });
        return z.NEVER;
      }
      return Math.round(n / 1000);
    });

/** Milliseconds, for intervals that tests shrink below a second (200ms). */
const durationMs = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const n = /^\d+$/.test(v) ? Number(v) * 1000 : ms(v as ms.StringValue);
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 50 || n > 3_600_000) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration from 50ms to 1h` });
        return z.NEVER;
      }
      return Math.round(n);
    });

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${protocols.join(' or ')} URL` },
  );

const isCidr = (v: string) => {
  try {
    ipaddr.parseCIDR(v);
    return true;
  } catch {
    return false;
  }
};

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Every environment variable Tessera reads. The README's table mirrors this file. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  ISSUER: url(['http:', 'https:'])
    .refine((v) => !v.endsWith('/'), { message: 'must not end with a slash' })
    .optional(),
  ACCESS_TOKEN_AUDIENCE: z.string().min(1).default('tessera-api'),
  ACCESS_TOKEN_TTL: duration('15m'),
  REFRESH_TOKEN_TTL: duration('30d'),
  REFRESH_GRACE_PERIOD: duration('10s'),
  REFRESH_FAMILY_LIFETIME: duration('90d'),
  CLOCK_SKEW_LEEWAY: duration('30s'),
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_ADMIN_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  MIGRATIONS_RUN: z.enum(['auto', 'never']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  DENYLIST_SYNC_INTERVAL: duration('1s').refine((v) => v >= 1 && v <= 300, {
    message: 'must be between 1s and 5m',
  }),
  // At most 25 s: the resource-server library abandons a poll after 30 s by default
  // (pollTimeoutSeconds), so a longer hold would time out every quiet poll and fail closed.
  REVOCATION_FEED_MAX_WAIT: duration('20s').refine((v) => v >= 1 && v <= 25, {
    message: 'must be between 1s and 25s (below the resource-server library poll timeout, 30s)',
  }),
  REDIS_EVICTION_POLICY_CHECKED: bool(false),
  TOKEN_RECORD_RETENTION: duration('24h'),
  TOKEN_PRUNE_INTERVAL: durationMs('5m'),
  TOKEN_PRUNE_BATCH: z.coerce.number().int().min(1).max(100_000).default(5000),
  TOKEN_RECORD_QUEUE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  TOKEN_RECORD_TENANT_QUEUE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(2000),
  TOKEN_RECORD_WRITERS: z.coerce.number().int().min(1).max(200).optional(),
  CLIENT_NEGATIVE_CACHE_TTL: durationMs('5s'),
  SIGNING_KEYS_DIR: z.string().min(1).optional(),
  SIGNING_KEY_PRIMARY: z.string().min(1).max(200).optional(),
  DEV_KEY_ALG: z.enum(['RS256', 'ES256', 'EdDSA']).default('RS256'),
  KEY_ENCRYPTION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  KEY_PUBLISH_DELAY: duration('6m'),
  KEY_RELOAD_INTERVAL: durationMs('10s'),
  ISSUER_MODE: z.enum(['platform', 'tenant']).default('platform'),
  /** `off`, or how long after the newest key was created a successor is staged. */
  KEY_ROTATION_INTERVAL: z
    .string()
    .default('90d')
    .transform((v, ctx) => {
      if (v === 'off' || v === '0') return 0;
      const n = /^\d+$/.test(v) ? Number(v) * 1000 : ms(v as ms.StringValue);
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 1000) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not off or a duration like 90d` });
        return z.NEVER;
      }
      return Math.round(n / 1000);
    }),
  KEY_ROTATION_CHECK_INTERVAL: durationMs('60s'),
  /** Cache-Control max-age of the tenant JWKS and metadata (KEY_PUBLISH_DELAY must exceed it). */
  TENANT_JWKS_MAX_AGE: duration('300s'),
  TENANT_KEY_ALG: z.enum(['RS256', 'ES256', 'EdDSA']).default('RS256'),
  TENANT_KEY_RSA_BITS: z.coerce.number().int().min(2048).max(16384).default(2048),
  TENANT_KEY_CACHE_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  OIDC_ISSUER_URL: url(['http:', 'https:']).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_REDIRECT_URI: url(['http:', 'https:']).optional(),
  OIDC_POST_LOGOUT_REDIRECT_URI: url(['http:', 'https:']).optional(),
  OIDC_GROUPS_SCOPE: z
    .string()
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]*$/)
    .default('groups'),
  OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  OIDC_GROUP_PATTERN: z
    .string()
    .refine((v) => v.includes('{tenant}') && v.includes('{role}'), {
      message: 'must contain {tenant} and {role}',
    })
    .default('tessera:{tenant}:{role}'),
  OIDC_LOGOUT_TOKEN_MAX_AGE: duration('2m'),
  SESSION_IDLE_TIMEOUT: duration('30m'),
  SESSION_ABSOLUTE_TIMEOUT: duration('12h'),
  LOGIN_PENDING_TTL: duration('10m'),
  METRICS_ALLOW_CIDRS: z
    .string()
    .default('127.0.0.0/8,::1/128')
    .refine((v) => v.split(',').every((c) => !c.trim() || isCidr(c.trim())), {
      message: 'must be a comma-separated list of CIDRs like 10.0.0.0/8,::1/128',
    }),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** `off` switches the management listener off; 0 picks a free port (tests). */
  MANAGEMENT_PORT: z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(65535)])
    .default(3001),
  MANAGEMENT_HOST: z.string().min(1).default('127.0.0.1'),
  /** Extra claims exchange mappings may set (comma-separated); empty: none. */
  EXCHANGE_CLAIM_NAMES: z.string().max(2000).default(''),
  RATE_LIMIT_ENABLED: bool(true),
  RATE_LIMIT_WINDOW: duration('60s'),
  RATE_LIMIT_ANONYMOUS: z.coerce.number().int().min(1).default(120),
  RATE_LIMIT_AUTHENTICATED: z.coerce.number().int().min(1).default(6000),
  RATE_LIMIT_TOKEN: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_SESSION_MINT: z.coerce.number().int().min(1).default(10),
  TRUST_PROXY: z.string().default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  BODY_LIMIT: z.string().default('16kb'),
});

export type Env = z.infer<typeof envSchema>;
