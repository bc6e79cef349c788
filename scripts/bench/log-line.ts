/**
 * npm run bench:log-line — CPU per request line of the HTTP logger (pino-http) at `info`, with
 * Tessera's serializers and redaction, next to the same logger with the 72 wildcard redact
 * paths it used before (docs/performance.md). In process, no I/O: the lines go to a sink.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import pinoHttp, { type Options } from 'pino-http';
import {
  LOG_REDACTION,
  LOG_SERIALIZERS,
  REDACTED,
  SECRET_KEYS,
} from '@tessera/infrastructure/logging/redaction';

const LINES = Number(process.env.BENCH_LINES ?? 20_000);
const sink = new Writable({ write: (_c, _e, cb) => cb() });

/** The old belt: every secret key at four levels through wildcard paths. */
const WILDCARD_PATHS = SECRET_KEYS.flatMap((k) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `["${k}"]`;
  return [key.slice(key.startsWith('.') ? 1 : 0), `*${key}`, `*.*${key}`, `*.*.*${key}`];
});

function microsPerLine(opts: Options): number {
  const log = pinoHttp(opts, sink);
  const start = process.cpuUsage();
  for (let i = 0; i < LINES; i++) {
    const req = Object.assign(new EventEmitter(), {
      method: 'POST',
      url: '/oauth/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        host: 'h',
        'user-agent': 'u',
      },
      socket: { remoteAddress: '127.0.0.1' },
      tessera: { tenantId: 'org_1', clientId: 'cli_1' },
    });
    const res = Object.assign(new EventEmitter(), {
      statusCode: 200,
      setHeader: () => undefined,
      getHeaders: () => ({}),
      headersSent: false,
    });
    log(req as never, res as never, () => undefined);
    res.emit('finish');
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / LINES;
}

const who = (req: unknown) => {
  const t = (req as { tessera: { tenantId: string; clientId: string } }).tessera;
  return { tenant: t.tenantId, client: t.clientId };
};
const cases: [string, Options][] = [
  [
    'now: walk of the line object + top-level redact paths, tenant/client on the line',
    {
      serializers: LOG_SERIALIZERS,
      ...LOG_REDACTION,
      customSuccessObject: (req, _res, line: object) => ({ ...who(req), ...line }),
    },
  ],
  [
    'before: 72 wildcard redact paths, tenant/client through customProps',
    {
      serializers: LOG_SERIALIZERS,
      redact: { paths: WILDCARD_PATHS, censor: REDACTED },
      customProps: who,
    },
  ],
];
microsPerLine(cases[0]![1]); // warm-up
const rows = cases.map(([name, opts]) => ({ name, micros: microsPerLine(opts) }));
process.stdout.write('| logger at info | CPU µs per request line |\n|---|---:|\n');
for (const r of rows) process.stdout.write(`| ${r.name} | ${r.micros.toFixed(0)} |\n`);
process.stdout.write(`${JSON.stringify({ lines: LINES, rows })}\n`);
