import { DomainError } from '@tessera/domain/shared/domain-error';

const bad = (why: string) => new DomainError('invalid_request', why);

/** A JSON object body, with only the named members. */
export function jsonBody(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw bad('the body is a JSON object (Content-Type: application/json)');
  }
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw bad(`unknown member "${unknown.slice(0, 40)}"`);
  return body as Record<string, unknown>;
}

export function optString(b: Record<string, unknown>, name: string): string | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(`${name} is a string`);
  return v;
}

export function optStrings(b: Record<string, unknown>, name: string): string[] | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > 100 || v.some((s) => typeof s !== 'string')) {
    throw bad(`${name} is an array of at most 100 strings`);
  }
  return v as string[];
}

/** A query parameter given at most once. */
export function optQuery(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 256) throw bad(`${name} is given once, up to 256 chars`);
  return v;
}
