import { Logger, type ArgumentsHost } from '@nestjs/common';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { OAuthErrorFilter } from './oauth-error.filter';

function call(exception: unknown, headers: Record<string, string> = {}) {
  const res = {
    headersSent: false,
    headers: {} as Record<string, string>,
    statusCode: 0,
    body: undefined as unknown,
    setHeader(k: string, v: string) {
      this.headers[k.toLowerCase()] = v;
    },
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    json(b: unknown) {
      this.body = b;
    },
  };
  const req = { headers, path: '/oauth/token', id: 'req-1' };
  const host = {
    switchToHttp: () => ({ getResponse: () => res, getRequest: () => req }),
  } as unknown as ArgumentsHost;
  new OAuthErrorFilter().catch(exception, host);
  return res;
}

describe('the one error filter', () => {
  afterEach(() => jest.restoreAllMocks());

  it('a 503 logs its cause with the request id and sends only the safe description', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:6379 (internal detail)');
    const res = call(
      new DomainError('temporarily_unavailable', 'the token store is unavailable', {
        retryAfter: 2,
        cause,
      }),
    );
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the token store is unavailable',
    });
    expect(JSON.stringify(res.body)).not.toContain('ECONNREFUSED');
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ err: cause, reqId: 'req-1' }),
      'the token store is unavailable',
    );
  });

  it('a 4xx logs nothing, even with a cause', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const res = call(new DomainError('invalid_grant', 'no', { cause: new Error('x') }));
    expect(res.statusCode).toBe(400);
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    ['invalid_client', 401],
    ['invalid_target', 400],
    ['insufficient_scope', 403],
    ['rate_limited', 429],
    ['server_error', 500],
  ] as const)('%s → %i', (code, status) => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    expect(call(new DomainError(code, 'd')).statusCode).toBe(status);
  });

  it('insufficient_scope names the scope it needs (RFC 6750 §3.1)', () => {
    const res = call(
      new DomainError('insufficient_scope', 'needs api:write', { requiredScope: 'api:write' }),
      { authorization: 'Bearer x.y.z' },
    );
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="tessera", error="insufficient_scope", scope="api:write"',
    );
  });
});
