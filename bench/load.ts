/**
 * The two ways the benchmark drives work: autocannon over real HTTP (in a child process, so the load generator
 * neither shares the server's event loop nor counts in its CPU time), and a bare in-process loop over the same
 * queries.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'autocannon-child.mjs');
// autocannon ships no types; this is the part of its result we read.
interface AutocannonResult {
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  requests: { average: number; total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  /** CPU time of the autocannon process itself (ms). */
  loadGenCpuMs?: number;
}

function autocannon(opts: Record<string, unknown>): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as AutocannonResult)
        : reject(new Error(`autocannon exited with ${code}`)),
    );
    child.stdin.end(JSON.stringify(opts));
  });
}

/** CPU time (user + system, ms) this process spends while `fn` runs. */
async function cpuMs<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const before = process.cpuUsage();
  const value = await fn();
  const d = process.cpuUsage(before);
  return [value, (d.user + d.system) / 1000];
}

export interface Measured {
  /** Completed operations per second. */
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ops: number;
  /** Failed requests (errors, timeouts, non-2xx) — a scenario with errors is reported as broken. */
  failures: number;
  /**
   * CPU time of this process per completed operation, in ms: for HTTP the server's whole cost of a request.
   * Far less sensitive than req/s to other programs competing for the cores.
   */
  cpuMsPerOp: number;
  /** HTTP only: the load generator's (autocannon's) CPU ms per completed request. */
  loadGenCpuMsPerOp?: number;
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface LoadSettings {
  connections: number;
  duration: number;
}

/**
 * CPU time (ms) of other processes: the server's primary and workers when the benchmark drives the compiled
 * cluster (`--workers N`), read from /proc/<pid>/stat (utime + stime, in clock ticks of 10 ms).
 */
export function procCpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    } catch {
      // A worker that exited: its time is lost, and the run is reported with its failures.
    }
  }
  return ticks * 10;
}

/**
 * `serverCpu`: how to read the server's CPU time (ms) when it runs in other processes; by default the server is
 * this process (`buildApp` in-process) and its own CPU time is taken.
 */
export async function runHttp(
  origin: string,
  headers: Record<string, string>,
  requests: HttpRequestSpec[],
  s: LoadSettings,
  serverCpu?: () => number,
): Promise<Measured> {
  const cpu0 = serverCpu?.();
  const [r, ownCpu] = await cpuMs(() =>
    autocannon({
      url: origin,
      connections: s.connections,
      duration: s.duration,
      headers: { ...headers, 'content-type': 'application/json' },
      requests: requests.map((q) => ({
        method: q.method,
        path: q.path,
        ...(q.body ? { body: q.body } : {}),
      })),
    }),
  );
  const cpu = serverCpu ? serverCpu() - cpu0! : ownCpu;
  return {
    cpuMsPerOp: r['2xx'] ? cpu / r['2xx'] : 0,
    ...(r.loadGenCpuMs !== undefined && r['2xx'] ? { loadGenCpuMsPerOp: r.loadGenCpuMs / r['2xx'] } : {}),
    rps: r['2xx'] / r.duration,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    ops: r['2xx'],
    failures: r.errors + r.timeouts + r.non2xx,
  };
}

/**
 * Runs `op` from `concurrency` loops for `duration` seconds. With better-sqlite3 each call is synchronous, so
 * concurrency only matters for PostgreSQL, where it matches autocannon's connections for a fair ratio.
 */
export async function runBare(op: (i: number) => Promise<unknown>, s: LoadSettings): Promise<Measured> {
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  const end = performance.now() + s.duration * 1000;
  let i = 0;
  let failures = 0;
  const t0 = performance.now();
  const loop = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await op(i++);
        lat.push(performance.now() - t);
      } catch {
        failures++;
      }
      // Yield now and then so the other loops (and timers) get a turn even when `op` completes synchronously.
      if ((i & 63) === 0) await new Promise<void>((res) => setImmediate(res));
    }
  };
  await Promise.all(Array.from({ length: s.connections }, loop));
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  const pct = (p: number) =>
    lat.length ? lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] : 0;
  return {
    cpuMsPerOp: lat.length ? (cpu.user + cpu.system) / 1000 / lat.length : 0,
    rps: lat.length / secs,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: lat[lat.length - 1] ?? 0,
    ops: lat.length,
    failures,
  };
}

/** Samples RSS while `fn` runs; returns its peak in MB. */
export async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakRssMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peakRssMb: Math.round(peak / 1048576) };
  } finally {
    clearInterval(timer);
  }
}
