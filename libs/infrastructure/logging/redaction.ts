import type { IncomingMessage, ServerResponse } from 'node:http';

/** Field names whose values are credentials wherever they appear (body, query, log objects). */
const SECRET_FIELD =
  /token|secret|password|passwd|^code$|code_verifier|assertion|authorization|cookie|credential|api[_-]?key|private|^key$|^d$|^p$|^q$|^dp$|^dq$|^qi$/i;

export const REDACTED = '[redacted]';

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
    out.push(`${encodeURIComponent(k)}=${SECRET_FIELD.test(k) ? REDACTED : encodeURIComponent(v)}`);
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
