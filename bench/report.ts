import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Measured } from './load.js';

export interface ScenarioResult {
  name: string;
  label: string;
  /** Under load: `connections` clients, the server saturated (this gives req/s and the ratio). */
  http: Measured;
  /** Few clients: latency without queueing. */
  httpLight: Measured;
  /** The SQL the response needs (lead rows, tags, links, every lead part's read). */
  bare: Measured;
  /** The bare loop before 2026-12-06: the lead rows and their tags only (bench/scenarios.ts). */
  bareCore?: Measured;
  service: Measured;
  /** `--workers N`: the same HTTP runs against the compiled cluster (CPU: its primary and workers). */
  cluster?: { workers: number; http: Measured; httpLight: Measured; target?: TargetCheck };
  /** HTTP req/s divided by the bare loop's rate. */
  ratio: number;
  /**
   * Bare CPU ms per op divided by HTTP CPU ms per request: the same ratio measured in CPU time, steadier on a
   * shared machine. On SQLite it covers the database work too (in-process); on PostgreSQL only the Node side.
   */
  cpuRatio: number;
  target?: TargetCheck;
  loadavg: number[];
  peakRssMb: number;
}

export interface RunResult {
  date: string;
  db: 'sqlite' | 'postgres';
  leads: number;
  /** `--workers N`: HTTP went to the compiled cluster (CPU of its primary and workers), not the in-process app. */
  server?: { workers: number; compiled: boolean; floor?: Measured };
  settings: {
    connections: number;
    duration: number;
    warmup: number;
    lightConnections: number;
    lightDuration: number;
  };
  machine: { cpus: number; model: string; node: string; loadavgStart: number[]; loadavgEnd: number[] };
  seed: { orgs: number; bigOrgLeads: number; seconds: number; indexSeconds: number };
  floor: Measured;
  scenarios: ScenarioResult[];
}

const here = path.dirname(fileURLToPath(import.meta.url));

export function machineInfo() {
  const cpus = os.cpus();
  return { cpus: cpus.length, model: cpus[0]?.model ?? '?', node: process.version };
}

/** `label`: appended to the file name (`--label after-cache`), so a run does not overwrite an earlier one. */
export function writeResult(r: RunResult, label?: string): string {
  const dir = path.join(here, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const suffix = label ? `-${label.replace(/[^\w.-]+/g, '-')}` : '';
  const file = path.join(dir, `${r.date}-${r.db}-${r.leads}${suffix}.json`);
  fs.writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}

const f1 = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const rate = (n: number) => Math.round(n).toLocaleString('en-US');

export function markdownTable(r: RunResult): string {
  const lines = [
    `${r.db}, ${r.leads.toLocaleString('en-US')} leads (${r.seed.bigOrgLeads.toLocaleString('en-US')} in the measured organization, ${r.seed.orgs} organizations), ${r.settings.connections} connections, ${r.settings.duration} s per measurement, load average ${r.machine.loadavgStart.map((x) => x.toFixed(1)).join('/')} at start${r.server ? `; HTTP to buildApp() in this process, then to the compiled server with WORKERS=${r.server.workers} (below)` : '; HTTP to buildApp() in this process'}.`,
    '',
    `| scenario | HTTP req/s | HTTP p50 / p99 ms | p50 / p99 ms at ${r.settings.lightConnections} conn. | bare req/s | bare p50 / p99 ms | service req/s | HTTP / bare | CPU ms per request: HTTP / bare | CPU ratio | target: p99 light / loaded, ratio | peak RSS MB |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const s of r.scenarios) {
    const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
    const t = s.target
      ? `p99 < ${s.target.p99Ms} ms: ${mark(s.target.p99Light)} / ${mark(s.target.p99Loaded)}${s.target.minRatio ? `; >= ${s.target.minRatio * 100}%: ${mark(s.target.ratio)}` : ''}`
      : '';
    const fail = s.http.failures ? ` (${s.http.failures} failed)` : '';
    lines.push(
      `| ${s.label} | ${rate(s.http.rps)}${fail} | ${f1(s.http.p50)} / ${f1(s.http.p99)} | ${f1(s.httpLight.p50)} / ${f1(s.httpLight.p99)} | ${rate(s.bare.rps)} | ${f1(s.bare.p50)} / ${f1(s.bare.p99)} | ${rate(s.service.rps)} | ${(s.ratio * 100).toFixed(0)}% | ${f1(s.http.cpuMsPerOp)} / ${f1(s.bare.cpuMsPerOp)} | ${(s.cpuRatio * 100).toFixed(0)}% | ${t} | ${s.peakRssMb} |`,
    );
  }
  const withOld = r.scenarios.filter((s) => s.bareCore);
  if (withOld.length) {
    const tail = [
      '',
      'The bare loop, old definition (lead rows + tags) beside the new (the SQL the response needs):',
      '',
      '| scenario | bare req/s old / new | CPU ms old / new | HTTP / bare, old / new | CPU ratio old / new | HTTP CPU ms | load generator CPU ms per request |',
      '|---|---:|---:|---:|---:|---:|---:|',
    ];
    for (const s of withOld) {
      const o = s.bareCore!;
      tail.push(
        `| ${s.label} | ${rate(o.rps)} / ${rate(s.bare.rps)} | ${f1(o.cpuMsPerOp)} / ${f1(s.bare.cpuMsPerOp)} | ${((s.http.rps / (o.rps || 1)) * 100).toFixed(0)}% / ${(s.ratio * 100).toFixed(0)}% | ${((o.cpuMsPerOp / (s.http.cpuMsPerOp || 1)) * 100).toFixed(0)}% / ${(s.cpuRatio * 100).toFixed(0)}% | ${f1(s.http.cpuMsPerOp)} | ${s.http.loadGenCpuMsPerOp !== undefined ? f1(s.http.loadGenCpuMsPerOp) : ''} |`,
      );
    }
    return [...lines, floorLine(r), ...tail, ...clusterTable(r)].join('\n');
  }
  lines.push(floorLine(r));
  return [...lines, ...clusterTable(r)].join('\n');
}

/** `--workers N`: the compiled cluster's rates, latencies and CPU (its primary and workers) per request. */
function clusterTable(r: RunResult): string[] {
  const rows = r.scenarios.filter((s) => s.cluster);
  if (!rows.length) return [];
  const out = [
    '',
    `The compiled server (node dist/src/cluster.js), WORKERS=${rows[0].cluster!.workers}, ${r.settings.connections} connections; autocannon on the same cores:`,
    '',
    `| scenario | req/s | p50 / p99 ms | p50 / p99 ms at ${r.settings.lightConnections} conn. | server CPU ms per request (primary + workers) | autocannon CPU ms per request | server CPU / in-process CPU | target: p99 light / loaded |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const s of rows) {
    const c = s.cluster!;
    const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
    const t = c.target
      ? `p99 < ${c.target.p99Ms} ms: ${mark(c.target.p99Light)} / ${mark(c.target.p99Loaded)}`
      : '';
    const fail = c.http.failures ? ` (${c.http.failures} failed)` : '';
    out.push(
      `| ${s.label} | ${rate(c.http.rps)}${fail} | ${f1(c.http.p50)} / ${f1(c.http.p99)} | ${f1(c.httpLight.p50)} / ${f1(c.httpLight.p99)} | ${f1(c.http.cpuMsPerOp)} | ${c.http.loadGenCpuMsPerOp !== undefined ? f1(c.http.loadGenCpuMsPerOp) : ''} | ${((c.http.cpuMsPerOp / (s.http.cpuMsPerOp || 1)) * 100).toFixed(0)}% | ${t} |`,
    );
  }
  const fl = r.server?.floor;
  if (fl)
    out.push(
      `| /health (no auth, \`select 1\`): the cluster's floor | ${rate(fl.rps)} | ${f1(fl.p50)} / ${f1(fl.p99)} | | ${f1(fl.cpuMsPerOp)} | ${fl.loadGenCpuMsPerOp !== undefined ? f1(fl.loadGenCpuMsPerOp) : ''} | | |`,
    );
  return out;
}

function floorLine(r: RunResult): string {
  return `| trivial Fastify route (HTTP floor) | ${rate(r.floor.rps)} | ${f1(r.floor.p50)} / ${f1(r.floor.p99)} | | | | | | ${f1(r.floor.cpuMsPerOp)} | | | |`;
}

export interface TargetCheck {
  p99Ms: number;
  minRatio?: number;
  /** p99 under the limit with few clients (what one user sees). */
  p99Light: boolean;
  /** p99 under the limit with the server saturated by `connections` clients (includes queueing). */
  p99Loaded: boolean;
  /** HTTP keeps at least minRatio of the bare loop's rate (true when no ratio is asked). */
  ratio: boolean;
}

/** Checks a scenario against its issue-2 target; any failed request fails every part. */
export function checkTarget(
  t: { p99Ms: number; minRatio?: number } | undefined,
  http: Measured,
  light: Measured,
  ratio: number,
): TargetCheck | undefined {
  if (!t) return undefined;
  const ok = http.failures === 0 && light.failures === 0;
  return {
    ...t,
    p99Light: ok && light.p99 < t.p99Ms,
    p99Loaded: ok && http.p99 < t.p99Ms,
    ratio: ok && (t.minRatio === undefined || ratio >= t.minRatio),
  };
}
