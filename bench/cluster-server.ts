/**
 * `npm run bench -- --workers N`: the compiled server as `npm start` runs it (`node dist/src/cluster.js`, a
 * primary and WORKERS processes sharing one port) on the benchmark's seeded database, and the CPU time of all its
 * processes, read from /proc (the primary counts too: on SQLite it keeps the workers' rate-limit counters).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { procCpuMs } from './load.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(ROOT, 'dist', 'src', 'cluster.js');

export interface RunningCluster {
  origin: string;
  /** The primary's and every live worker's pid. */
  pids(): number[];
  /** CPU time (user + system, ms) of the primary and its workers so far. */
  cpuMs(): number;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

/** The pids of `pid`'s children (Linux: /proc/<pid>/task/<tid>/children of each of its threads). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const txt = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (txt) out.push(...txt.split(/\s+/).map(Number));
    } catch {
      // a thread that ended meanwhile
    }
  }
  return out;
}

export async function startCluster(opts: {
  workers: number;
  databaseUrl: string;
  dataDir: string;
  log: (msg: string) => void;
}): Promise<RunningCluster> {
  if (!fs.existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build:server first`);
  const port = await freePort();
  const child = spawn(process.execPath, [ENTRY], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: opts.databaseUrl,
      DATA_DIR: opts.dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      WORKERS: String(opts.workers),
      LOG_LEVEL: 'silent',
      // As in the in-process run: a limit too high to refuse anything keeps the counter's cost in every request.
      RATE_LIMIT_PER_MINUTE: '1000000000',
    },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the compiled server exited: ${output}`);
    if (/Leadflow is running/.test(output)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the compiled server did not start in 120 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const ready = await fetch(`${origin}/ready`);
  if (!ready.ok) throw new Error(`/ready answered ${ready.status}: ${await ready.text()}`);
  const pids = () => [child.pid!, ...childrenOf(child.pid!)];
  if (pids().length !== opts.workers + 1)
    opts.log(`warning: expected ${opts.workers} workers, found ${pids().length - 1}`);
  return {
    origin,
    pids,
    cpuMs: () => procCpuMs(pids()),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}
