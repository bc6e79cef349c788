import { Writable } from 'node:stream';
import pino from 'pino';
import pinoHttp from 'pino-http';
import { LOG_SERIALIZERS, REDACT_PATHS, redactUrl } from './redaction';

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
    const log = pinoHttp(
      { serializers: LOG_SERIALIZERS, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
      sink,
    ).logger;
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

  it('redact paths hide secret fields at any of the first levels of a logged object', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info(
      {
        token: 'v1',
        body: { client_secret: 'v2', nested: { refresh_token: 'v3', subject_token: 'v4' } },
        headers: { 'set-cookie': 'v5', authorization: 'v6', cookie: 'v7' },
      },
      'hi',
    );
    const out = lines.join('');
    for (const v of ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']) expect(out).not.toContain(`"${v}"`);
    expect(out).toContain('[redacted]');
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
