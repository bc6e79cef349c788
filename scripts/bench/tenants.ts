/**
 * npm run bench:tenants — ISSUER_MODE=tenant with 1 and with BENCH_TENANTS (10 000; at least
 * 401) tenants on one node: token-request p99 (client_credentials, requests spread over every tenant's client),
 * the node's memory, the time to create a tenant's first key (per algorithm), and the time of one
 * rotation sweep over all tenants. The built server as a child process on loopback (real Postgres
 * and Redis); autocannon bounded by BENCH_SECONDS (15) and BENCH_CONNECTIONS (16). Tenant keys
 * are BENCH_TENANT_ALG (ES256). Prints a markdown table; writes bench-results-tenants.json.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { newId } from '@tessera/domain/shared/ids';
import { createDataSource } from '@tessera/infrastructure/postgres/data-source';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import { KeyRotationSweep } from '@tessera/infrastructure/crypto/key-rotation-sweep';
import { rotateKey } from '@tessera/infrastructure/crypto/key-rotation';
import { TenantKeys } from '@tessera/infrastructure/crypto/tenant-keys';
import { ISSUER, Stack, log, startServer, startServices, type Server } from './bench-stack';
import { FORM, asOwner, crossTenant, envNumber, exitCode, writeResults } from './common';
import { runLoad, type LoadResult } from './load';
import { checkpoint, runBench } from './run';

const TENANTS = envNumber('BENCH_TENANTS', 10_000);
/** 100 hot tenants, then 200 more whose key rings are loaded cold, then the spread load. */
const MIN_TENANTS = 401;
if (!(TENANTS >= MIN_TENANTS)) {
  process.stderr.write(`bench:tenants: BENCH_TENANTS must be at least ${MIN_TENANTS}\n`);
  process.exit(2);
}
const SECONDS = envNumber('BENCH_SECONDS', 15);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 16);
const ALG = (process.env.BENCH_TENANT_ALG ?? 'ES256') as SigningAlg;
const FIRST_KEY_SAMPLES = 20;
const SECRET = randomBytes(32).toString('base64url');
const quiet = { log: () => undefined, warn: (m: string) => log(m) };
const policy = { publishDelayMs: 360_000, accessTtlMs: 900_000, leewayMs: 30_000 };

interface Creds {
  clientId: string;
  secret: string;
}

/** `count` tenants with one client each, written as the owner on the cross-tenant path. */
async function addTenants(ownerUrl: string, count: number, prefix: string) {
  const out: { tenantId: string; creds: Creds }[] = [];
  await asOwner(ownerUrl, async (pg) => {
    for (let from = 0; from < count; from += 1000) {
      const n = Math.min(1000, count - from);
      const rows = Array.from({ length: n }, (_, i) => ({
        tenantId: newId('tenant'),
        slug: `${prefix}-${from + i}`,
        creds: {
          clientId: newId('client'),
          secret: `tcs_${randomBytes(32).toString('base64url')}`,
        },
      }));
      await crossTenant(pg, async () => {
        await pg.query(
          `INSERT INTO tessera.tenants (id, slug, name) SELECT * FROM unnest($1::text[], $2::text[], $2::text[])`,
          [rows.map((r) => r.tenantId), rows.map((r) => r.slug)],
        );
        await pg.query(
          `INSERT INTO tessera.clients (id, tenant_id, name, secret_hash, grants, scopes)
           SELECT id, t, 'bench', h, '{client_credentials}', '{read}'
             FROM unnest($1::text[], $2::text[], $3::bytea[]) AS x(id, t, h)`,
          [
            rows.map((r) => r.creds.clientId),
            rows.map((r) => r.tenantId),
            rows.map((r) => createHash('sha256').update(r.creds.secret, 'utf8').digest()),
          ],
        );
      });
      out.push(...rows.map((r) => ({ tenantId: r.tenantId, creds: r.creds })));
    }
  });
  return out;
}

/** Every tenant key made older than the rotation interval (owner: the app role cannot). */
const ageKeys = (ownerUrl: string, seconds: number) =>
  asOwner(ownerUrl, (pg) =>
    crossTenant(pg, () =>
      pg.query(
        `UPDATE tessera.tenant_signing_keys SET created_at = created_at - make_interval(secs => $1),
                activated_at = activated_at - make_interval(secs => $1)`,
        [seconds],
      ),
    ),
  );

const tokenLoad = (name: string, srv: Server, clients: Creds[]) => {
  let i = 0;
  return runLoad({
    name,
    url: srv.url,
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': FORM },
    nextBody: () => {
      const c = clients[i++ % clients.length]!;
      return `grant_type=client_credentials&client_id=${c.clientId}&client_secret=${c.secret}`;
    },
    verify: (b) => b.includes('"access_token"'),
    seconds: SECONDS,
    connections: CONNECTIONS,
  });
};

const rssMiB = (srv: Server) => {
  const status = readFileSync(`/proc/${srv.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
};

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;

async function main(stack: Stack): Promise<number> {
  const svc = await startServices(stack);
  const ds = createDataSource({ url: svc.appUrl, poolSize: 8 });
  await ds.initialize();
  const tx = new TenantTransactions(ds);
  const keys = new TenantKeys(ds, tx, undefined, {
    secret: SECRET,
    policy,
    platformIssuer: ISSUER,
    alg: ALG,
    rsaBits: 2048,
    cacheSize: 1000,
    reloadIntervalMs: 10_000,
    accessTtlSeconds: 900,
    log: quiet,
  });
  try {
    // The platform key set (the feed's SETs): production refuses to start without one.
    await rotateKey(
      ds,
      { secret: SECRET, policy, accessTtlSeconds: 900, reloadIntervalMs: 10_000, log: quiet },
      'ES256',
    );

    // Time to create a tenant's first key (generate on the pool, seal, insert under the lock).
    const firstKey: Record<string, { p50: number; max: number }> = {};
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as SigningAlg[]) {
      const ts = await addTenants(svc.ownerUrl, FIRST_KEY_SAMPLES, `first-${alg.toLowerCase()}`);
      const ms: number[] = [];
      for (const t of ts) {
        const t0 = process.hrtime.bigint();
        await keys.ensureKey(t.tenantId, alg);
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      firstKey[alg] = { p50: pct(ms, 0.5), max: Math.max(...ms) };
      log(`first key ${alg}: p50 ${firstKey[alg].p50.toFixed(1)} ms`);
    }

    const env = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      ISSUER,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      RATE_LIMIT_ENABLED: 'false',
      DATABASE_URL: svc.appUrl,
      DATABASE_ADMIN_URL: svc.ownerUrl,
      MIGRATIONS_RUN: 'never',
      REDIS_URL: svc.redisUrl,
      KEY_ENCRYPTION_SECRET: SECRET,
      ISSUER_MODE: 'tenant',
      TENANT_KEY_ALG: ALG,
      // The sweep is measured here, in this process, not left to the node.
      KEY_ROTATION_INTERVAL: 'off',
    };
    const one = await addTenants(svc.ownerUrl, 1, 'solo');
    await keys.ensureKey(one[0]!.tenantId);
    const srv = await startServer(stack, 'tenants-1', env);
    await tokenLoad(
      'warm-up',
      srv,
      one.map((t) => t.creds),
    );
    const loadOne = await tokenLoad(
      '1 tenant',
      srv,
      one.map((t) => t.creds),
    );
    const rssOne = rssMiB(srv);
    checkpoint();

    log(`adding ${TENANTS} tenants`);
    const many = await addTenants(svc.ownerUrl, TENANTS - 1, 'bench');
    const all = [...one, ...many];
    const sweep = new KeyRotationSweep(ds, tx, {
      intervalSeconds: 90 * 86_400,
      checkMs: 60_000,
      tenants: keys,
      log: quiet,
    });
    let t0 = Date.now();
    const backfill = await sweep.sweep();
    const backfillS = (Date.now() - t0) / 1000;
    log(`first keys for ${backfill?.created} tenants in ${backfillS.toFixed(1)} s`);
    t0 = Date.now();
    await sweep.sweep();
    const idleS = (Date.now() - t0) / 1000;
    await ageKeys(svc.ownerUrl, 91 * 86_400);
    t0 = Date.now();
    const rotation = await sweep.sweep();
    const rotationS = (Date.now() - t0) / 1000;
    log(`rotation sweep: ${rotation?.created} successors in ${rotationS.toFixed(1)} s`);
    checkpoint();

    // A hot set: 100 tenants busy while 10 000 exist (the others idle).
    const hot = all.slice(0, 100).map((t) => t.creds);
    await tokenLoad('warm-up', srv, hot);
    const loadHot = await tokenLoad(`${all.length} tenants, load on 100 of them`, srv, hot);
    const rssHot = rssMiB(srv);
    // Every request a different tenant: each one's client, status and key ring cold.
    const loadSpread = await tokenLoad(
      `${all.length} tenants, each request another tenant`,
      srv,
      all.slice(100).map((t) => t.creds),
    );
    const rssSpread = rssMiB(srv);
    // A tenant's ring loaded cold (keys read, active key decrypted), in this process.
    const cold = new TenantKeys(ds, tx, undefined, { ...keys.opts, cacheSize: 1000 });
    const ringMs: number[] = [];
    for (const t of all.slice(200, 400)) {
      const t1 = process.hrtime.bigint();
      await cold.forTenant(t.tenantId);
      ringMs.push(Number(process.hrtime.bigint() - t1) / 1e6);
    }

    const row = (r: LoadResult, rss: number) =>
      `| ${r.name.padEnd(44)} | ${r.rps.toFixed(0).padStart(5)} | ${String(r.p50).padStart(4)} | ${String(r.p99).padStart(4)} | ${String(r.bad).padStart(3)} | ${rss.toFixed(0).padStart(8)} |`;
    const lines = [
      `${os.availableParallelism()} cores, node ${process.version}, tenant keys ${ALG}, ${CONNECTIONS} connections, ${SECONDS}s per run, loopback`,
      '',
      `| ${'client_credentials'.padEnd(44)} | req/s |  p50 |  p99 | bad | RSS MiB |`,
      `| ${'-'.repeat(44)} | ----: | ---: | ---: | --: | ------: |`,
      row(loadOne, rssOne),
      row(loadHot, rssHot),
      row(loadSpread, rssSpread),
      '',
      `a tenant's key ring loaded cold (200 tenants, in the bench process): p50 ${pct(ringMs, 0.5).toFixed(1)} ms, p99 ${pct(ringMs, 0.99).toFixed(1)} ms`,
      `first key of a tenant (generate, seal, insert), ${FIRST_KEY_SAMPLES} each: ` +
        Object.entries(firstKey)
          .map(([a, v]) => `${a} p50 ${v.p50.toFixed(1)} ms (max ${v.max.toFixed(1)})`)
          .join(', '),
      `sweep creating first keys for ${backfill?.created} tenants: ${backfillS.toFixed(1)} s; nothing due: ${(idleS * 1000).toFixed(0)} ms`,
      `rotation sweep over ${all.length} tenants (every key due): ${rotation?.created} successors in ${rotationS.toFixed(1)} s, ${rotation?.failed} failed`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    writeResults('bench-results-tenants.json', 'tenants', {
      tenants: all.length,
      alg: ALG,
      loads: [
        { ...loadOne, rss_mib: rssOne },
        { ...loadHot, rss_mib: rssHot },
        { ...loadSpread, rss_mib: rssSpread },
      ],
      ring_load_ms: { p50: pct(ringMs, 0.5), p99: pct(ringMs, 0.99) },
      first_key_ms: firstKey,
      backfill: { ...backfill, seconds: backfillS },
      idle_sweep_seconds: idleS,
      rotation: { ...rotation, seconds: rotationS },
    });
    return exitCode([loadOne, loadHot, loadSpread]);
  } finally {
    await ds.destroy();
  }
}

runBench(main);
