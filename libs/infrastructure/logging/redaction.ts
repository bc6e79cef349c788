import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';

/** Field names whose values are credentials wherever they appear (body, query, log objects). */
const SECRET_FIELD =
  /token|secret|password|passwd|^code$|code_verifier|assertion|authorization|cookie|credential|api[_-]?key|private|^key$|^d$|^p$|^q$|^dp$|^dq$|^qi$/i;

export const REDACTED = '[redacted]';

/** A JWS/JWT in compact form (`eyJ` is the start of every base64url JSON header). */
const JWT_LIKE = /^eyJ[\w-]*\.[\w-]*\./;

const SECRET_KEYS = [
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

/**
 * pino redact paths for objects an app log line may carry. Request and response are already
 * reduced to an allow-list by the serializers below; this is the second belt.
 */
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `["${k}"]`;
  return [key.slice(key.startsWith('.') ? 1 : 0), `*${key}`, `*.*${key}`, `*.*.*${key}`];
});

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
