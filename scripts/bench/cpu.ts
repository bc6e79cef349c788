import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the CPU went during a scenario, from /proc (Linux): the server's main thread, its
 * other threads (libuv pool signing, GC helpers), Postgres, Redis, the load generator (this
 * process) and everyone else on the machine. On a shared machine that last column says how
 * much of the two cores the bench actually had. Elsewhere every figure is undefined.
 */
export interface CpuTargets {
  serverPid?: number;
  pgdata?: string;
  redisPid?: number;
}

interface Snapshot {
  at: number;
  machineBusy: number;
  machineTotal: number;
  serverMain: number;
  serverOther: number;
  postgres: number;
  redis: number;
  bench: number;
}

export interface CpuBreakdown {
  /** CPU milliseconds per completed request. */
  perRequestMs: {
    server_main: number;
    server_other_threads: number;
    postgres: number;
    redis: number;
    load_generator: number;
    other_processes: number;
  };
  /** Share of the machine's cores busy during the run (1 = every core busy). */
  machine_busy: number;
}

const TICK_MS = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const hz = Number(r.stdout?.trim());
  return 1000 / (Number.isFinite(hz) && hz > 0 ? hz : 100);
})();

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** utime + stime (ms) and ppid of one /proc/<pid>[/task/<tid>]/stat. */
function stat(file: string): { cpu: number; ppid: number } | undefined {
  const s = read(file);
  if (!s) return undefined;
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { cpu: (Number(rest[11]) + Number(rest[12])) * TICK_MS, ppid: Number(rest[1]) };
}

function machine(): { busy: number; total: number } {
  const line = read('/proc/stat')?.split('\n')[0] ?? '';
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * TICK_MS;
  return { busy, total: busy + (idle! + iowait!) * TICK_MS };
}

function postgresCpu(pgdata?: string): number {
  const pidFile = pgdata && path.join(pgdata, 'postmaster.pid');
  const postmaster = pidFile && Number(read(pidFile)?.split('\n')[0]);
  if (!postmaster) return 0;
  let sum = stat(`/proc/${postmaster}/stat`)?.cpu ?? 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const st = stat(`/proc/${pid}/stat`);
    if (st?.ppid === postmaster) sum += st.cpu;
  }
  return sum;
}

function snapshot(t: CpuTargets): Snapshot {
  const m = machine();
  let serverMain = 0;
  let serverOther = 0;
  if (t.serverPid) {
    const dir = `/proc/${t.serverPid}/task`;
    for (const tid of existsSync(dir) ? readdirSync(dir) : []) {
      const cpu = stat(`${dir}/${tid}/stat`)?.cpu ?? 0;
      if (Number(tid) === t.serverPid) serverMain += cpu;
      else serverOther += cpu;
    }
  }
  const u = process.cpuUsage();
  return {
    at: performance.now(),
    machineBusy: m.busy,
    machineTotal: m.total,
    serverMain,
    serverOther,
    postgres: postgresCpu(t.pgdata),
    redis: t.redisPid ? (stat(`/proc/${t.redisPid}/stat`)?.cpu ?? 0) : 0,
    bench: (u.user + u.system) / 1000,
  };
}

/** Starts counting; the returned function stops and divides by the requests completed. */
export function startCpuAccounting(t: CpuTargets): (requests: number) => CpuBreakdown | undefined {
  if (!existsSync('/proc/stat')) return () => undefined;
  const a = snapshot(t);
  return (requests) => {
    const b = snapshot(t);
    // A Postgres backend that exited between the snapshots would make its column negative.
    const d = (k: keyof Snapshot) => Math.max(0, b[k] - a[k]);
    const ours = d('serverMain') + d('serverOther') + d('postgres') + d('redis') + d('bench');
    const per = (ms: number) => +(ms / Math.max(requests, 1)).toFixed(3);
    return {
      perRequestMs: {
        server_main: per(d('serverMain')),
        server_other_threads: per(d('serverOther')),
        postgres: per(d('postgres')),
        redis: per(d('redis')),
        load_generator: per(d('bench')),
        other_processes: per(Math.max(0, d('machineBusy') - ours)),
      },
      machine_busy: +(d('machineBusy') / Math.max(d('machineTotal'), 1)).toFixed(3),
    };
  };
}
