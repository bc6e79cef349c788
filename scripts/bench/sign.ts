/**
 * npm run bench:sign — TokenSigner throughput per algorithm, 16 signatures in flight, next to
 * raw single-thread crypto.sign measured in the same run. Prints a table and one JSON line.
 */
import { sign } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { generateSigningKey } from '@tessera/infrastructure/crypto/key-generator';
import { KeyRing } from '@tessera/infrastructure/crypto/key-ring';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const IN_FLIGHT = 16;

const claims = {
  iss: 'http://localhost:3000',
  sub: 'cli_01jd0000000000000000000000',
  aud: 'tessera-api',
  iat: 1_700_000_000,
  exp: 1_700_000_900,
  jti: 'tok_01jd0000000000000000000000',
  client_id: 'cli_01jd0000000000000000000000',
  org: 'org_01jd0000000000000000000000',
  scope: 'read write',
};

function rawSingleThread(alg: SigningAlg, key: import('node:crypto').KeyObject): number {
  const data = Buffer.from('x'.repeat(400));
  const digest = alg === 'EdDSA' ? null : 'sha256';
  const opts = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) {
    sign(digest, data, opts);
    n++;
  }
  return n / SECONDS;
}

async function throughSigner(ring: KeyRing): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  const worker = async () => {
    while (performance.now() < end) {
      await ring.sign(claims, 'at+jwt');
      n++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return n / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const cases: [string, SigningAlg, number?][] = [
    ['RS256-4096', 'RS256', 4096],
    ['RS256-2048', 'RS256', 2048],
    ['ES256', 'ES256'],
    ['EdDSA', 'EdDSA'],
  ];
  const rows = [];
  for (const [name, alg, bits] of cases) {
    const { material } = await generateSigningKey(alg, bits);
    const ring = new KeyRing([{ material, primary: true }]);
    await throughSigner(ring); // warm the thread pool
    const raw = rawSingleThread(alg, material.privateKey!);
    const signer = await throughSigner(ring);
    rows.push({
      name,
      raw_single_thread_ops: Math.round(raw),
      signer_ops: Math.round(signer),
      ratio: +(signer / raw).toFixed(2),
    });
  }
  console.log(
    `cores: ${availableParallelism()}, ${IN_FLIGHT} in flight, ${SECONDS}s per measurement`,
  );
  console.log('case        raw 1-thread/s   signer/s   signer ÷ raw');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(12)}${String(r.raw_single_thread_ops).padStart(14)}${String(r.signer_ops).padStart(11)}${String(r.ratio).padStart(14)}`,
    );
  }
  console.log(JSON.stringify({ bench: 'sign', rows }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
