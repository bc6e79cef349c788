/**
 * npm run bench:rs-cpu — what @tessera/resource-server's guard costs per request in CPU time,
 * next to the same loop without it: the library's own share of a guarded request, measured
 * with process.cpuUsage, so a loaded machine (which skews req/s comparisons) barely moves it.
 * In one process: a contract-speaking peer (libs/testing/contract-feed-server: metadata, JWKS,
 * feed), 100 distinct tokens, each request a fresh header string (as node:http gives one),
 * BENCH_REQUESTS (200000) per round, BENCH_ROUNDS (5) rounds; prints the median round.
 */
import { ContractFeedServer } from '@tessera/testing/contract-feed-server';
import { ResourceServer, requireScopes } from '@tessera/resource-server';

const N = Number(process.env.BENCH_REQUESTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** Issues `n` calls in batches (the event loop turns between them); resolves when all are done. */
function drive(n: number, call: (i: number, done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let issued = 0;
    let finished = 0;
    const done = () => void (++finished === n && resolve());
    const batch = () => {
      for (let j = 0; j < 1000 && issued < n; j++) call(issued++, done);
      if (issued < n) setImmediate(batch);
    };
    batch();
  });
}

const cpuMicros = async (run: () => Promise<void>) => {
  const t0 = process.cpuUsage();
  await run();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / N;
};

async function main(): Promise<void> {
  const peer = new ContractFeedServer('https://api.bench.example');
  await peer.start();
  const rs = await ResourceServer.create({
    issuer: peer.issuer,
    identifier: 'https://api.bench.example',
    clientId: peer.credentials.clientId,
    clientSecret: peer.credentials.clientSecret,
    logger: quiet,
  });
  try {
    while (rs.status().state !== 'live') await new Promise((r) => setTimeout(r, 20));
    const tokens: string[] = [];
    for (let i = 0; i < 100; i++) tokens.push(`Bearer ${await peer.token({ scope: 'read' })}`);
    const header = (i: number) => Buffer.from(tokens[i % 100]!).toString();
    const guard = requireScopes(rs, 'read');
    const res = {
      setHeader: () => {},
      end: () => {
        throw new Error('the guard refused a valid token');
      },
    } as never;
    const rounds: { guard: number; base: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const base = await cpuMicros(() =>
        drive(N, (i, done) => {
          const req = { headers: { authorization: header(i) } };
          void Promise.resolve(req).then(done);
        }),
      );
      const guarded = await cpuMicros(() =>
        drive(N, (i, done) => guard({ headers: { authorization: header(i) } } as never, res, done)),
      );
      rounds.push({ guard: guarded - base, base });
      process.stderr.write(`[bench] round ${r + 1}: guard ${(guarded - base).toFixed(2)} µs\n`);
    }
    rounds.sort((a, b) => a.guard - b.guard);
    const m = rounds[Math.floor(rounds.length / 2)]!;
    process.stdout.write(
      `guard CPU per request (median of ${ROUNDS} rounds × ${N}): ${m.guard.toFixed(2)} µs ` +
        `(loop alone ${m.base.toFixed(2)} µs)\n`,
    );
  } finally {
    await rs.close();
    await peer.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:rs-cpu failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
