import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';

/** Field names whose values are credentials wherever they appear (body, query, log objects). */
const SECRET_FIELD =
  /token|secret|password|passwd|^code$|code_verifier|assertion|authorization|cookie|credential|api[_-]?key|private|^key$|^d$|^p$|^q$|^dp$|^dq$|^qi$/i;

export const REDACTED = '[redacted]';

/** A JWS/JWT in compact form (`eyJ` is the start of every base64url JSON header). */
const JWT_LIKE = /^eyJ[\w-]*\.[\w-]*\./;

export const SECRET_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'secret',
  'token',
  'code',
  'code_verifier',
  'assertion',
  'client_secret',
  'client_assertion',
  'access_token',
  'refresh_token',
  'id_token',
  'subject_token',
  'actor_token',
  'private_key',
  'privateKey',
];

const SECRET = new Set(SECRET_KEYS);
/** Keys are censored at the first four levels of a logged object, as the old redact paths did. */
const MAX_DEPTH = 4;

function censor(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  const src = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(src)) {
    const v = src[k];
    if (v === undefined) continue;
    const next = SECRET.has(k) ? REDACTED : depth < MAX_DEPTH ? censor(v, depth + 1) : v;
    if (next !== v) {
      out ??= (Array.isArray(src) ? [...src] : { ...src }) as Record<string, unknown>;
      out[k] = next;
    }
  }
  return out ?? value;
}

/** An error's own fields censored; still an Error (same prototype) for the err serializer. */
function censorError(e: Error): Error {
  const fields = { ...e } as Record<string, unknown>;
  const censored = censor(fields, 2);
  if (censored === fields) return e;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(e) as object) as Error, censored);
  Object.defineProperties(copy, {
    message: { value: e.message, writable: true, configurable: true },
    stack: { value: e.stack, writable: true, configurable: true },
    ...(e.cause === undefined
      ? {}
      : { cause: { value: e.cause, writable: true, configurable: true } }),
  });
  return copy;
}

/**
 * The second belt, for objects an app log line carries: secret-named keys replaced at the first
 * four levels, the object copied only when one is found. `req` and `res` are left to their
 * serializers (an allow-list). pino's `redact` did this with wildcard paths at 0.3-0.7 ms per
 * line (docs/performance.md); this walk costs microseconds.
 */
export function redactSecrets(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(obj)) {
    if (k === 'req' || k === 'res') continue;
    const v = obj[k];
    if (v === undefined) continue;
    const next = SECRET.has(k) ? REDACTED : v instanceof Error ? censorError(v) : censor(v, 2);
    if (next !== v) {
      out ??= { ...obj };
      out[k] = next;
    }
  }
  return out ?? obj;
}

/**
 * pino options: the walk on every line's object; `redact` keeps only top-level paths (no
 * wildcard: cheap) so a child logger's bindings are censored at their first level too.
 */
export const LOG_REDACTION = {
  formatters: { log: redactSecrets },
  redact: {
    paths: SECRET_KEYS.map((k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`)),
    censor: REDACTED,
  },
};

const LOGGED_HEADERS = ['user-agent', 'content-type', 'content-length', 'accept', 'host'];

/** The query string with every secret-looking parameter's value replaced. */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const out: string[] = [];
  for (const [k, v] of params) {
    const secret = SECRET_FIELD.test(k) || JWT_LIKE.test(v);
    out.push(`${encodeURIComponent(k)}=${secret ? REDACTED : encodeURIComponent(v)}`);
  }
  return `${url.slice(0, q)}?${out.join('&')}`;
}

export function serializeReq(req: IncomingMessage & { id?: unknown; originalUrl?: string }) {
  const headers: Record<string, unknown> = {};
  for (const h of LOGGED_HEADERS) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
  return {
    id: req.id,
    method: req.method,
    url: redactUrl(req.originalUrl ?? req.url),
    headers,
    remoteAddress: req.socket?.remoteAddress,
  };
}

export function serializeRes(res: ServerResponse) {
  return { statusCode: res.statusCode };
}

/**
 * Errors as pino logs them, minus what drivers attach about the failed call: ioredis puts the
 * command and its arguments on its errors (a session write carries the ID token and CSRF
 * token), TypeORM and pg the query parameters and the offending key values.
 */
export function serializeErr(err: unknown): Record<string, unknown> {
  // pino-http hands its own wrapped serializer an already-serialized error.
  const out = (
    err instanceof Error ? pino.stdSerializers.err(err) : { ...(err as object) }
  ) as Record<string, unknown>;
  const command = out.command as { name?: unknown } | undefined;
  if (command && typeof command === 'object') out.command = { name: command.name };
  for (const k of ['args', 'parameters', 'detail']) if (k in out) out[k] = REDACTED;
  const driver = out.driverError as { code?: unknown; message?: unknown } | undefined;
  if (driver && typeof driver === 'object') {
    out.driverError = { code: driver.code, message: driver.message };
  }
  return out;
}

export const LOG_SERIALIZERS = { req: serializeReq, res: serializeRes, err: serializeErr };
