import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS, redactUrl } from './redaction';

describe('log redaction', () => {
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
});
