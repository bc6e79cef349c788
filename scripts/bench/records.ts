/**
 * npm run bench:records — token requests against an api_tokens table of BENCH_RECORDS rows
 * (1 000 000), and the time one prune pass takes over it. The built server as a child process
 * on loopback (real Postgres and Redis), autocannon bounded by BENCH_SECONDS (15) and
 * BENCH_CONNECTIONS (16). Half the rows are past expiry plus retention (what a prune pass
 * deletes), half live. The prune pass runs under back-to-back 5 s loads; the worst window's
 * p99 is reported. Prints a markdown table; writes bench-results-records.json.
 */
import os from 'node:os';
import { PruneTokenRecords } from '@tessera/application/prune-token-records/prune-token-records.use-case';
import { createDataSource } from '@tessera/infrastructure/postgres/data-source';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import { TypeOrmTokenRecordRetention } from '@tessera/infrastructure/tokens/typeorm-token-record-retention';
import {
  Stack,
  keyDir,
  log,
  serverEnv,
  startServer,
  startServices,
  type Server,
} from './bench-stack';
import {
  asOwner,
  basicAuth,
  clientCredentialsLoad,
  crossTenant,
  envNumber,
  exitCode,
  loadTable,
  writeResults,
} from './common';
import { runLoad, type LoadResult } from './load';
import { seed, type Seeded } from './seed';
import { runBench } from './run';

const RECORDS = envNumber('BENCH_RECORDS', 1_000_000);
const SECONDS = envNumber('BENCH_SECONDS', 15);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 16);
const RETENTION = 24 * 3600;
const BATCH = 5000;

const tokenLoad = (name: string, srv: Server, s: Seeded, seconds = SECONDS) =>
  runLoad(
    clientCredentialsLoad(name, srv.url, basicAuth(s.clientId, s.secret), seconds, CONNECTIONS),
  );

/** RECORDS rows for the tenant, as the owner on the cross-tenant path, in chunks. */
async function fill(ownerUrl: string, tenantId: string, prefix: string): Promise<number> {
  const t0 = Date.now();
  await asOwner(ownerUrl, async (pg) => {
    const chunk = 100_000;
    for (let from = 0; from < RECORDS; from += chunk) {
      // Even rows expired two days ago (prunable), odd rows live for another hour.
      await crossTenant(pg, () =>
        pg.query(
          `INSERT INTO tessera.api_tokens (jti, tenant_id, kind, subject, client_id, scopes, created_via, created_at, expires_at)
           SELECT $4 || i, $1, 'access', 'bench', 'bench-client', '{read}', 'client_credentials',
                  now() - interval '3 days',
                  CASE WHEN i % 2 = 0 THEN now() - interval '2 days' ELSE now() + interval '1 hour' END
             FROM generate_series($2::int, $3::int) AS i`,
          [tenantId, from, Math.min(from + chunk, RECORDS) - 1, prefix],
        ),
      );
    }
    await pg.query('VACUUM ANALYZE tessera.api_tokens');
  });
  return (Date.now() - t0) / 1000;
}

/** Several windows as one row: requests over time, the median of p50s, the worst p99. */
function aggregate(name: string, ws: LoadResult[]): LoadResult {
  const sum = (f: (w: LoadResult) => number) => ws.reduce((n, w) => n + f(w), 0);
  const p50s = ws.map((w) => w.p50).sort((a, b) => a - b);
  return {
    ...ws[0]!,
    name: `${name} (${ws.length} × 5 s)`,
    requests: sum((w) => w.requests),
    seconds: sum((w) => w.seconds),
    rps: sum((w) => w.requests) / sum((w) => w.seconds),
    p50: p50s[Math.floor(p50s.length / 2)]!,
    p99: Math.max(...ws.map((w) => w.p99)),
    max: Math.max(...ws.map((w) => w.max)),
    bad: sum((w) => w.bad),
  };
}

async function main(stack: Stack): Promise<number> {
  const svc = await startServices(stack);
  const keys = await keyDir(stack, 2048);
  const s = await seed(svc, keys.dir, stack.dir, 0);
  // The server's own passes (every TOKEN_PRUNE_INTERVAL) must not prune the rows measured here.
  const srv = await startServer(stack, 'records', {
    ...serverEnv(svc, keys.dir, stack.dir),
    TOKEN_RECORD_RETENTION: '3650d',
  });
  const ds = createDataSource({ url: svc.appUrl, poolSize: 2 });
  await ds.initialize();
  const retention = new TypeOrmTokenRecordRetention(new TenantTransactions(ds));
  try {
    await tokenLoad('warm-up', srv, s, 10);
    const empty = await tokenLoad('client_credentials, api_tokens near empty', srv, s);
    log(`filling api_tokens with ${RECORDS} rows`);
    const fillSeconds = await fill(svc.ownerUrl, s.tenantId, 'tok_bench_a_');
    const before = await retention.stats(RETENTION);
    log(`filled in ${fillSeconds.toFixed(1)} s: ${before.rows} rows, ${before.prunable} prunable`);
    const full = await tokenLoad(`client_credentials, ${before.rows} rows`, srv, s);

    // One prune pass (what each node runs every TOKEN_PRUNE_INTERVAL) under the same load.
    const prune = new PruneTokenRecords(retention, {
      retention: RETENTION,
      batch: BATCH,
      maxBatches: Number.MAX_SAFE_INTEGER,
    });
    const t0 = Date.now();
    let pruneDone = false;
    let t1 = 0;
    const pass = prune.run().finally(() => ((pruneDone = true), (t1 = Date.now())));
    // Back-to-back windows for as long as the pass runs: the worst window's p99 is reported.
    const windows: LoadResult[] = [];
    while (!pruneDone) windows.push(await tokenLoad('during prune', srv, s, 5));
    const pruned = await pass;
    const pruneSeconds = (t1 - t0) / 1000;
    const duringResult = aggregate(`client_credentials during the prune pass`, windows);
    const t2 = Date.now();
    const second = await prune.run();
    const idleSeconds = (Date.now() - t2) / 1000;
    const after = await retention.stats(RETENTION);

    // The same amount again, pruned with no load: the pass on its own.
    await fill(svc.ownerUrl, s.tenantId, 'tok_bench_b_');
    const refilled = await retention.stats(RETENTION);
    const t3 = Date.now();
    const alone = await prune.run();
    const aloneSeconds = (Date.now() - t3) / 1000;

    const lines = [
      `${os.availableParallelism()} cores, node ${process.version}, RS256-2048, ${CONNECTIONS} connections, ${SECONDS}s per run, loopback`,
      '',
      ...loadTable(58, [empty, full, duringResult]),
      '',
      `prune pass: ${pruned.pruned} rows in ${pruned.batches} batches of ${BATCH}, ${pruneSeconds.toFixed(1)} s (${(pruned.pruned / pruneSeconds).toFixed(0)} rows/s) under load; a second pass found ${second.pruned} in ${(idleSeconds * 1000).toFixed(0)} ms`,
      `rows before ${before.rows} (table ${(before.tableBytes / 2 ** 20).toFixed(0)} MiB), after ${after.rows}`,
      `prune pass without load: ${alone.pruned} rows of ${refilled.rows} in ${alone.batches} batches, ${aloneSeconds.toFixed(1)} s (${(alone.pruned / aloneSeconds).toFixed(0)} rows/s)`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    writeResults('bench-results-records.json', 'records', {
      records: RECORDS,
      fill_seconds: fillSeconds,
      loads: [empty, full, duringResult],
      prune: { ...pruned, seconds: pruneSeconds, batch: BATCH },
      second_prune: { ...second, seconds: idleSeconds },
      prune_without_load: { ...alone, seconds: aloneSeconds, rows_before: refilled.rows },
      rows_before: before.rows,
      rows_after: after.rows,
      table_bytes_before: before.tableBytes,
    });
    return exitCode([empty, full, duringResult]);
  } finally {
    await ds.destroy();
  }
}

runBench(main);
