/** What an adapter sends when a request is refused: status, headers and an RFC 6750 body. */
export interface Refusal {
  status: 401 | 403 | 503;
  headers: Record<string, string>;
  body: { error?: string; error_description?: string; scope?: string };
}

const quoted = (v: string) => `"${v.replace(/[\\"]/g, '')}"`;

/** RFC 6750 §3: no error code when the request carried no token at all. */
export function missingToken(realm: string): Refusal {
  return {
    status: 401,
    headers: { 'WWW-Authenticate': `Bearer realm=${quoted(realm)}` },
    body: { error_description: 'a bearer access token is required' },
  };
}

export function invalidToken(realm: string, description: string): Refusal {
  return {
    status: 401,
    headers: {
      'WWW-Authenticate': `Bearer realm=${quoted(realm)}, error="invalid_token", error_description=${quoted(description)}`,
    },
    body: { error: 'invalid_token', error_description: description },
  };
}

/** RFC 6750 §3.1: 403 naming the scope the route needs. */
export function insufficientScope(realm: string, scopes: readonly string[]): Refusal {
  const scope = scopes.join(' ');
  return {
    status: 403,
    headers: {
      'WWW-Authenticate': `Bearer realm=${quoted(realm)}, error="insufficient_scope", scope=${quoted(scope)}`,
    },
    body: { error: 'insufficient_scope', error_description: `requires scope "${scope}"`, scope },
  };
}

/** Fail closed: without a current revocation replica no token can be vouched for. */
export function unavailable(): Refusal {
  return {
    status: 503,
    headers: { 'Retry-After': '5', 'Cache-Control': 'no-store' },
    body: {
      error: 'temporarily_unavailable',
      error_description: 'the revocation feed is not available; try again shortly',
    },
  };
}
