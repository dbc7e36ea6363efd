import cluster, { type Worker } from 'node:cluster';
import { configOrExit, migrateOrExit, serve } from './server.js';
import { describeStorage } from './config.js';
import { serveCountersInPrimary } from './http/counter-store.js';
import { serverEnv, serverNodeFlags } from './node-flags.js';

/**
 * `npm start`: the primary applies the migrations once, then forks WORKERS server processes that share the
 * port (node:cluster hands connections round-robin). A worker that dies is replaced; SIGTERM or SIGINT is passed
 * to every worker, which finishes its requests in flight, and the primary exits when all have.
 * Background jobs run in every worker; a job is claimed atomically in the database, so each runs once.
 */
const DRAIN_TIMEOUT_MS = Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 30_000);
// A worker that dies within this long of its start counts as a crash loop: back off instead of forking hot.
const QUICK_DEATH_MS = 5_000;

const config = configOrExit();

if (cluster.isPrimary) {
  await migrateOrExit(config);
  // SQLite without Redis: the primary keeps the rate-limit and sign-in counters for all its workers (IPC), so
  // the limits hold for the machine, not per worker. PostgreSQL and Redis share them across nodes instead.
  const primaryCounters = config.dialect === 'sqlite' && !config.redisUrl;
  if (primaryCounters) serveCountersInPrimary();
  // The workers run with the server's Node flags and environment (a heap limit that keeps V8's heap near what it
  // holds, two malloc arenas; src/node-flags.ts), after this process's own flags.
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...serverNodeFlags()] });
  let stopping = false;
  let quickDeaths = 0;
  const started = new Map<number, number>();
  const fork = () => {
    const w = cluster.fork({
      ...serverEnv(),
      ...(primaryCounters ? { LEADFLOW_CLUSTER_COUNTERS: '1' } : {}),
    });
    started.set(w.id, Date.now());
    return w;
  };
  cluster.on('exit', (worker: Worker, code, signal) => {
    const lived = Date.now() - (started.get(worker.id) ?? 0);
    started.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(
      `Worker ${worker.process.pid} exited (${signal ?? `code ${code}`}) after ${Math.round(lived / 1000)} s; starting a new one`,
    );
    quickDeaths = lived < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
    setTimeout(fork, Math.min(30_000, quickDeaths === 0 ? 0 : 250 * 2 ** quickDeaths));
  });
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === config.workers)
      console.log(
        `Leadflow is running on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port} (${describeStorage(config)}; ${config.workers} worker${config.workers === 1 ? '' : 's'})`,
      );
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: workers finish their requests in flight, then exit`);
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    if (workers.length === 0) process.exit(0);
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    }, DRAIN_TIMEOUT_MS).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < config.workers; i++) fork();
} else {
  await serve(config, { quiet: true });
}
