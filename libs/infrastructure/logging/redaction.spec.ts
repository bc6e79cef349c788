import { Writable } from 'node:stream';
import pino from 'pino';
import pinoHttp from 'pino-http';
import { LOG_REDACTION, LOG_SERIALIZERS, redactSecrets, redactUrl } from './redaction';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { sink, text: () => lines.join('') };
}

describe('log redaction', () => {
  it('a logged error never carries the arguments of the command or query that failed', () => {
    const { sink, text } = capture();
    // The app's logger is pino-http's, which wraps the serializers it is given.
    const log = pinoHttp({ serializers: LOG_SERIALIZERS, ...LOG_REDACTION }, sink).logger;
    // ioredis puts the failed command on its errors (a session write carries the ID token),
    // TypeORM the query parameters.
    const redisErr = Object.assign(
      new Error('OOM command not allowed when used memory > maxmemory'),
      {
        name: 'ReplyError',
        command: {
          name: 'set',
          args: ['tessera:t:session:h', '{"idToken":"ID-T0KEN","csrf":"CSRF-V"}'],
        },
      },
    );
    const pgErr = Object.assign(new Error('duplicate key value'), {
      name: 'QueryFailedError',
      query: 'INSERT INTO x VALUES ($1)',
      parameters: ['PARAM-S3CRET'],
      driverError: { parameters: ['PARAM-S3CRET'], detail: 'Key (h)=(PARAM-S3CRET) exists' },
    });
    log.error({ err: redisErr }, 'page error');
    log.error({ err: pgErr }, 'unhandled error');
    const out = text();
    for (const v of ['ID-T0KEN', 'CSRF-V', 'PARAM-S3CRET']) expect(out).not.toContain(v);
    expect(out).toContain('OOM command not allowed');
    expect(out).toContain('"name":"set"');
    expect(out).toContain('duplicate key value');
    expect(out).toContain('"type":"Error"');
  });

  it('secret fields are hidden at any of the first four levels of a logged object, and in a child’s bindings', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = pino({ serializers: LOG_SERIALIZERS, ...LOG_REDACTION }, sink);
    const logged = {
      token: 'v1',
      body: { client_secret: 'v2', nested: { refresh_token: 'v3', subject_token: 'v4' } },
      headers: { 'set-cookie': 'v5', authorization: 'v6', cookie: 'v7' },
      list: [{ password: 'v8' }],
      err: Object.assign(new Error('boom'), { config: { headers: { authorization: 'v9' } } }),
      keep: { a: { b: { c: { d: 'deep-kept' } } } },
    };
    log.info(logged, 'hi');
    log.child({ access_token: 'v10', authorization: 'v11' }).warn('child');
    const out = lines.join('');
    for (let i = 1; i <= 11; i++) expect(out).not.toContain(`"v${i}"`);
    expect(out).toContain('[redacted]');
    expect(out).toContain('deep-kept');
    expect(out).toContain('boom');
    expect(out).toContain('"type":"Error"');
    // The caller's object is copied, never changed.
    expect(logged.body.nested.refresh_token).toBe('v3');
    expect(logged.list[0]!.password).toBe('v8');
  });

  it('an object with no secret is passed through as it is (no copy)', () => {
    const obj = { res: { statusCode: 200 }, responseTime: 3, tenant: 't', client: 'c' };
    expect(redactSecrets(obj)).toBe(obj);
  });

  it('query values of secret-looking parameters are replaced, others kept', () => {
    expect(redactUrl('/cb?code=abc&state=xyz&access_token=t&client_secret=s')).toBe(
      '/cb?code=[redacted]&state=xyz&access_token=[redacted]&client_secret=[redacted]',
    );
    expect(redactUrl('/health/live')).toBe('/health/live');
  });

  it('a JWT-shaped query value is replaced whatever its parameter is called', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    expect(redactUrl(`/x?jwt=${jwt}&q=${jwt}.&page=2`)).toBe(
      '/x?jwt=[redacted]&q=[redacted]&page=2',
    );
  });
});
