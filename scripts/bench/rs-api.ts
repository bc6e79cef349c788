/**
 * The API the resource-server bench loads: plain node:http, one handler served twice, at
 * /guarded behind @tessera/resource-server's middleware (scope `read`) and at /open without it.
 * Configured by env (BENCH_RS_* below); prints "listening <port>" when ready.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResourceServer, requireScopes } from '@tessera/resource-server';

const e = process.env;
const BODY = JSON.stringify({ invoices: [{ id: 'inv_1', amount: 42 }] });
const send = (res: ServerResponse) => {
  res.setHeader('content-type', 'application/json');
  res.end(BODY);
};

async function main(): Promise<void> {
  const rs = await ResourceServer.create({
    issuer: e.BENCH_RS_ISSUER!,
    identifier: e.BENCH_RS_IDENTIFIER!,
    clientId: e.BENCH_RS_CLIENT_ID!,
    clientSecret: e.BENCH_RS_CLIENT_SECRET!,
    jwksUri: e.BENCH_RS_JWKS_URI!,
    revocationEventsEndpoint: e.BENCH_RS_FEED!,
  });
  const guard = requireScopes(rs, 'read');
  const server = createServer((req, res) => {
    if (req.url === '/open') return send(res);
    if (req.url === '/guarded') return guard(req, res, () => send(res));
    if (req.url === '/status') return res.end(JSON.stringify(rs.status()));
    res.statusCode = 404;
    res.end();
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => void rs.close().finally(() => server.close(() => process.exit(0))));
}

main().catch((err: unknown) => {
  process.stderr.write(`rs-api: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
