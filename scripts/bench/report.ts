import type { CpuBreakdown } from './cpu';
import type { LoadResult } from './load';
import type { PropagationResult } from './revocation';

/** More bad answers than this and a row measures errors, not Tessera: it fails. */
export const MAX_BAD_RATE = 0.001;

export interface Row {
  scenario: string;
  rps?: number;
  p50: number;
  p99: number;
  target: string;
  /** undefined: measured, no target of its own (still fails on errors). */
  pass?: boolean;
  notes: string[];
  load?: LoadResult;
  cpu?: CpuBreakdown;
}

export interface RawRates {
  rs256_4096: number;
  rs256_2048: number;
}

function errorsOk(r: LoadResult, notes: string[]): boolean {
  if (r.bad === 0) return true;
  const codes = Object.entries(r.statusCodes)
    .filter(([c]) => !c.startsWith('2'))
    .map(([c, n]) => `${c}×${n}`);
  notes.push(
    `${r.bad} bad (${(r.badRate * 100).toFixed(3)}%: ${[...codes, r.errors ? `errors×${r.errors}` : '', r.timeouts ? `timeouts×${r.timeouts}` : '', r.mismatches ? `wrong body×${r.mismatches}` : ''].filter(Boolean).join(', ')})`,
  );
  return r.badRate <= MAX_BAD_RATE;
}

export function loadRow(r: LoadResult, target?: { text: string; met: boolean }): Row {
  const notes: string[] = [];
  const clean = errorsOk(r, notes);
  return {
    scenario: r.name,
    rps: r.rps,
    p50: r.p50,
    p99: r.p99,
    target: target?.text ?? '—',
    pass: !clean ? false : target?.met,
    notes,
    load: r,
    cpu: r.cpu,
  };
}

/** ≥ share × 2 × raw single-thread rate (both cores signing), optionally p99 ≤ 3 × p50. */
export function signTarget(r: LoadResult, raw: number, share: number, tail: boolean) {
  const floor = share * 2 * raw;
  const met = r.rps >= floor && (!tail || r.p99 <= 3 * r.p50);
  const text = `≥ ${Math.round(floor)}/s (${share * 100}% of 2 × ${Math.round(raw)})${tail ? ', p99 ≤ 3 × p50' : ''}`;
  return { text, met };
}

export function propagationRow(p: PropagationResult): Row {
  const notes = p.failures ? [`${p.failures} of ${p.tokens} never rejected`] : [];
  return {
    scenario: `revocation node 1 → node 2 (${p.tokens} tokens)`,
    p50: p.p50,
    p99: p.p99,
    target: 'p99 ≤ 100 ms',
    pass: p.failures === 0 && p.p99 <= 100,
    notes,
  };
}

const fmt = (n: number | undefined, digits = 1) =>
  n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits);

export function markdown(rows: Row[]): string {
  const lines = [
    '| scenario | req/s | p50 ms | p99 ms | target | pass/fail |',
    '|---|---:|---:|---:|---|---|',
  ];
  for (const r of rows) {
    const verdict = r.pass === undefined ? 'n/a' : r.pass ? 'pass' : '**FAIL**';
    const notes = r.notes.length ? ` (${r.notes.join('; ')})` : '';
    lines.push(
      `| ${r.scenario} | ${fmt(r.rps, 0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.target} | ${verdict}${notes} |`,
    );
  }
  return lines.join('\n');
}

/** CPU milliseconds per request by where they were spent, and how busy the machine was. */
export function cpuMarkdown(rows: Row[]): string {
  const withCpu = rows.filter((r) => r.cpu);
  if (withCpu.length === 0) return '';
  const lines = [
    '| scenario (CPU ms per request) | server main thread | server other threads | postgres | redis | load generator | other processes | machine busy |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of withCpu) {
    const c = r.cpu!.perRequestMs;
    lines.push(
      `| ${r.scenario} | ${fmt(c.server_main, 2)} | ${fmt(c.server_other_threads, 2)} | ${fmt(c.postgres, 2)} | ${fmt(c.redis, 2)} | ${fmt(c.load_generator, 2)} | ${fmt(c.other_processes, 2)} | ${(r.cpu!.machine_busy * 100).toFixed(0)}% |`,
    );
  }
  return lines.join('\n');
}
