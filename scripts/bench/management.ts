/**
 * npm run bench:management — the issue 15 measurements, on loopback with real Postgres and
 * Redis, the built server as a child process, autocannon bounded by BENCH_SECONDS (10) and
 * BENCH_CONNECTIONS (8):
 *   1. GET …/clients?limit=200 on the management port for a tenant of 1,000 clients
 *      (bearer token with tessera:manage);
 *   2. token exchange (RFC 8693) with 1 mapping rule on the issuer, then with 100 (the match is
 *      the last one tried).
 * Prints a markdown table; writes bench-results-management.json.
 */
import os from 'node:os';
import { ManageExchangeMappings } from '@tessera/application/manage-trusted-issuers/manage-exchange-mappings.use-case';
import { ManageTrustedIssuers } from '@tessera/application/manage-trusted-issuers/manage-trusted-issuers.use-case';
import { TypeOrmExchangeMappingRepository } from '@tessera/infrastructure/federation/typeorm-exchange-mapping-repository.adapter';
import { TypeOrmTrustedIssuerRepository } from '@tessera/infrastructure/federation/typeorm-trusted-issuer-repository.adapter';
import { freePort } from '@tessera/testing/redis-server';
import { startWorkloadIssuer } from '@tessera/testing/workload-issuer';
import { withTokenServices } from '../../apps/cli/src/wiring/token-services';
import { Stack, keyDir, log, serverEnv, startServer, startServices, ISSUER } from './bench-stack';
import {
  FORM,
  basicAuth,
  envNumber,
  exitCode,
  fetchAccessToken,
  loadTable,
  writeResults,
} from './common';
import { runLoad } from './load';
import { seed } from './seed';
import { runBench } from './run';

const SECONDS = envNumber('BENCH_SECONDS', 10);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 8);
const CLIENTS = 1000;
const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

async function main(stack: Stack): Promise<number> {
  const svc = await startServices(stack);
  const keys = await keyDir(stack, 2048);
  const s = await seed(svc, keys.dir, stack.dir, 0);
  const wl = await startWorkloadIssuer({ audience: 'tessera-bench' });
  stack.onStop(() => wl.close());

  log(`creating ${CLIENTS} clients, an exchange client and a trusted issuer`);
  const made = await withTokenServices(async (t) => {
    for (let i = 0; i < CLIENTS; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          t.clients.create(s.tenantId, { name: `client ${i + j}` }, 'bench'),
        ),
      );
    }
    const manager = await t.clients.create(
      s.tenantId,
      { name: 'manager', scopes: ['tessera:manage'] },
      'bench',
    );
    const exchanger = await t.clients.create(
      s.tenantId,
      { name: 'exchanger', grants: [GRANT], scopes: ['read', 'deploy'] },
      'bench',
    );
    const issuers = new ManageTrustedIssuers(
      new TypeOrmTrustedIssuerRepository(t.dataSource),
      t.audit,
      {
        production: false,
        ownIssuer: ISSUER,
      },
    );
    const trusted = await issuers.add(
      s.tenantId,
      {
        issuer: wl.url,
        jwksUri: wl.jwksUri,
        audience: 'tessera-bench',
        scopes: ['read', 'deploy'],
      },
      'bench',
    );
    return { manager, exchanger, trustedId: trusted.id };
  });

  const mport = await freePort();
  // The workload issuer is plain http on loopback: allowed outside production only.
  const srv = await startServer(stack, 'management', {
    ...serverEnv(svc, keys.dir, stack.dir),
    NODE_ENV: 'test',
    MANAGEMENT_PORT: String(mport),
    EXCHANGE_CLAIM_NAMES: 'namespace',
  });
  const mgmt = `http://127.0.0.1:${mport}`;
  const manageToken = await fetchAccessToken(
    `${srv.url}/oauth/token`,
    basicAuth(made.manager.client.id, made.manager.secret),
  );

  const list = (name: string) =>
    runLoad({
      name,
      url: mgmt,
      method: 'GET',
      path: `/api/v1/tenants/${s.tenantId}/clients?limit=200`,
      headers: { authorization: `Bearer ${manageToken}` },
      verify: (b) => b.includes('"next_cursor":"'),
      seconds: SECONDS,
      connections: CONNECTIONS,
    });

  const subjectToken = await wl.sign({
    sub: 'system:serviceaccount:payments:deployer',
    'kubernetes.io': { namespace: 'payments', serviceaccount: { name: 'deployer' } },
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  const exchange = (name: string) =>
    runLoad({
      name,
      url: srv.url,
      method: 'POST',
      path: '/oauth/token',
      headers: {
        authorization: basicAuth(made.exchanger.client.id, made.exchanger.secret),
        'content-type': FORM,
      },
      body: new URLSearchParams({
        grant_type: GRANT,
        subject_token: subjectToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      }).toString(),
      verify: (b) => b.includes('"access_token"'),
      seconds: SECONDS,
      connections: CONNECTIONS,
    });

  await list('warm-up');
  const listed = await list(`GET clients?limit=200, tenant of ${CLIENTS + 2} clients`);
  // The floor under it: the same guard and tenant check, one small row.
  const single = await runLoad({
    name: 'GET the tenant (one row)',
    url: mgmt,
    method: 'GET',
    path: `/api/v1/tenants/${s.tenantId}`,
    headers: { authorization: `Bearer ${manageToken}` },
    verify: (b) => b.includes('"slug"'),
    seconds: SECONDS,
    connections: CONNECTIONS,
  });

  const addRules = (from: number, to: number, matchingLast: boolean) =>
    withTokenServices(async (t) => {
      const m = new ManageExchangeMappings(
        new TypeOrmExchangeMappingRepository(t.dataSource),
        t.audit,
        ['namespace'],
      );
      for (let i = from; i < to; i++) {
        const last = matchingLast && i === to - 1;
        await m.add(
          s.tenantId,
          made.trustedId,
          {
            priority: last ? 1000 : i,
            match: {
              'kubernetes.io/namespace': last ? 'payments' : `team-${i}`,
              sub: 'system:serviceaccount:*',
            },
            scopes: ['deploy'],
            claims: { namespace: last ? 'payments' : `team-${i}` },
          },
          'bench',
        );
      }
    });
  await addRules(0, 1, true);
  await exchange('warm-up');
  const one = await exchange('token exchange, 1 mapping rule');
  await addRules(1, 100, false);
  const hundred = await exchange('token exchange, 100 rules (match tried last)');

  const lines = [
    `${os.availableParallelism()} cores, node ${process.version}, RS256-2048, ${CONNECTIONS} connections, ${SECONDS}s per run, loopback`,
    '',
    ...loadTable(60, [single, listed, one, hundred]),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  writeResults('bench-results-management.json', 'management', {
    clients: CLIENTS,
    loads: [single, listed, one, hundred],
  });
  return exitCode([single, listed, one, hundred]);
}

runBench(main);
