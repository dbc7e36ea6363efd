/**
 * `npm run bench:nodes`: throughput and CPU per request of 1 and 2 nodes (one process each) on one PostgreSQL,
 * behind nginx (test/two-nodes.helpers.ts). The load generator (autocannon, its own process), nginx, PostgreSQL
 * and the nodes share this machine's cores, so next to req/s it reports the CPU each part used per request and
 * the share of the machine the nodes got: compare those ratios, not the absolute req/s.
 *
 * BENCH_PG_URL (default TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test), BENCH_DURATION (s, 10),
 * BENCH_CONNECTIONS (10), REDIS_URL (counters in Redis instead of the database).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster, type Cluster } from '../test/two-nodes.helpers.js';

const pgUrl =
  process.env.BENCH_PG_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'autocannon-child.mjs');
const TICK_MS = 1000 / 100; // USER_HZ

/** utime + stime of a process in ms (Linux /proc). */
function cpuOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(parts[11]) + Number(parts[12])) * TICK_MS;
  } catch {
    return 0;
  }
}
/** Busy and total CPU time of the machine in ms. */
function machine(): { busy: number; total: number } {
  const cpus = os.cpus();
  let busy = 0;
  let total = 0;
  for (const c of cpus) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

interface Result {
  rps: number;
  ok: number;
  bad: number;
  p50: number;
  p99: number;
  nodeCpuMsPerReq: number;
  nginxCpuMsPerReq: number;
  loadGenCpuMsPerReq: number;
  machineBusy: number;
  nodesShare: number;
}

async function load(c: Cluster, token: string, req: { method: string; path: string; body?: string }) {
  const nodes0 = c.nodes.map((n) => cpuOf(n.proc.pid));
  const nginxPid = Number(fs.readFileSync(path.join(c.dir, 'nginx.pid'), 'utf8').trim());
  const nginxWorkers = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(' ')[3] === String(nginxPid);
      } catch {
        return false;
      }
    });
  const nginxCpu = () => [nginxPid, ...nginxWorkers].reduce((s, p) => s + cpuOf(p), 0);
  const nginx0 = nginxCpu();
  const m0 = machine();
  const child = spawn(process.execPath, [CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let genCpu = 0;
  child.stdout.on('data', (d) => (out += d));
  // The load generator's CPU, read just before it exits (sampled each 200 ms).
  const sample = setInterval(() => (genCpu = Math.max(genCpu, cpuOf(child.pid))), 200);
  child.stdin.end(
    JSON.stringify({
      url: c.url,
      connections,
      duration,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      requests: [{ method: req.method, path: req.path, ...(req.body ? { body: req.body } : {}) }],
    }),
  );
  await new Promise((r) => child.on('close', r));
  clearInterval(sample);
  const r = JSON.parse(out) as {
    '2xx': number;
    non2xx: number;
    errors: number;
    duration: number;
    latency: { p50: number; p99: number };
  };
  const m1 = machine();
  const nodeCpu = c.nodes.reduce((s, n, i) => s + cpuOf(n.proc.pid) - nodes0[i], 0);
  const ok = r['2xx'];
  const busy = m1.busy - m0.busy;
  return {
    rps: ok / r.duration,
    ok,
    bad: r.non2xx + r.errors,
    p50: r.latency.p50,
    p99: r.latency.p99,
    nodeCpuMsPerReq: nodeCpu / ok,
    nginxCpuMsPerReq: (nginxCpu() - nginx0) / ok,
    loadGenCpuMsPerReq: genCpu / ok,
    machineBusy: busy / (m1.total - m0.total),
    nodesShare: nodeCpu / busy,
  } satisfies Result;
}

const fmt = (n: number, d = 2) => n.toFixed(d);
const results: Record<string, Record<string, Result>> = {};
console.log(
  `two-nodes bench: ${duration} s per run, ${connections} connections, ${os.cpus().length} cores, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at start; counters in ${process.env.REDIS_URL ? 'Redis' : 'PostgreSQL'}`,
);
for (const count of [1, 2]) {
  const c = await startCluster({
    pgUrl,
    count,
    env: { RATE_LIMIT_PER_MINUTE: '100000000', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000000' },
  });
  try {
    const s = await fetch(`${c.url}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'bench@example.com',
        password: 'a long password 1',
        name: 'Bench',
        organization_name: 'Bench',
      }),
    });
    const { token } = (await s.json()) as { token: string };
    for (let i = 0; i < 300; i++)
      await fetch(`${c.url}/api/v1/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          first_name: `Seed${i}`,
          last_name: 'Bench',
          email: `s${i}@bench.example.com`,
        }),
      });
    results[`${count} node${count > 1 ? 's' : ''}`] = {
      'list 50': await load(c, token, { method: 'GET', path: '/api/v1/leads?limit=50' }),
      create: await load(c, token, {
        method: 'POST',
        path: '/api/v1/leads',
        body: JSON.stringify({ first_name: 'Bench', last_name: 'Create' }),
      }),
    };
  } finally {
    await c.stop();
  }
}

console.log(
  '\n| nodes | request | req/s | p50 ms | p99 ms | node CPU ms/req | nginx CPU ms/req | load generator CPU ms/req | machine busy | nodes share of busy CPU | failed |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const [nodes, byReq] of Object.entries(results))
  for (const [req, r] of Object.entries(byReq))
    console.log(
      `| ${nodes} | ${req} | ${fmt(r.rps, 0)} | ${r.p50} | ${r.p99} | ${fmt(r.nodeCpuMsPerReq)} | ${fmt(r.nginxCpuMsPerReq)} | ${fmt(r.loadGenCpuMsPerReq)} | ${fmt(r.machineBusy * 100, 0)}% | ${fmt(r.nodesShare * 100, 0)}% | ${r.bad} |`,
    );
for (const req of ['list 50', 'create']) {
  const a = results['1 node'][req];
  const b = results['2 nodes'][req];
  console.log(
    `${req}: 2 nodes / 1 node throughput ${fmt(b.rps / a.rps)}x; node CPU per request ${fmt(b.nodeCpuMsPerReq / a.nodeCpuMsPerReq)}x`,
  );
}
console.log(
  `load average at end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
