/**
 * Two (or more) compiled server processes on one PostgreSQL database behind nginx, as docs/operations.md
 * ("Several nodes behind nginx") runs them. Used by test/two-nodes.test.ts and bench/two-nodes.bench.ts.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const root = path.resolve(import.meta.dirname, '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

/** Debian's nginx, installed when missing (apt-get; CI's .ci/run installs it too). */
export function ensureNginx(): string {
  const found = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
  if (found) return found;
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'nginx'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('nginx is missing and apt-get install -y nginx failed');
  return '/usr/sbin/nginx';
}

/** Compiles the server when dist/ is missing or older than the sources (as test/cluster.test.ts does). */
export function ensureBuilt(): void {
  const entry = path.join(root, 'dist', 'src', 'main.js');
  const newest = (d: string): number =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .reduce(
        (m, e) =>
          Math.max(
            m,
            e.isDirectory() ? newest(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).mtimeMs,
          ),
        0,
      );
  if (!fs.existsSync(entry) || fs.statSync(entry).mtimeMs < newest(path.join(root, 'src')))
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}

export function nginxConfig(opts: { dir: string; port: number; upstreams: number[]; asRoot: boolean }) {
  return `# Leadflow behind nginx: round robin over the nodes (docs/operations.md)
${opts.asRoot ? 'user root;' : ''}
daemon off;
worker_processes 1;
pid ${opts.dir}/nginx.pid;
error_log ${opts.dir}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${opts.dir}/body;
  proxy_temp_path ${opts.dir}/proxy;
  fastcgi_temp_path ${opts.dir}/fastcgi;
  uwsgi_temp_path ${opts.dir}/uwsgi;
  scgi_temp_path ${opts.dir}/scgi;
  client_max_body_size 512m;
  upstream leadflow {
${opts.upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${opts.port};
    location / {
      proxy_pass http://leadflow;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-Id $request_id;
      proxy_request_buffering off;
      proxy_read_timeout 120s;
      # Which node answered (the tests check that requests are spread).
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

export interface NodeProc {
  port: number;
  proc: ChildProcess;
  output: string;
}

export interface Cluster {
  url: string;
  databaseUrl: string;
  nodes: NodeProc[];
  dir: string;
  admin: pg.Client;
  stop(): Promise<void>;
  startNode(i: number): Promise<void>;
}

async function waitFor(check: () => Promise<boolean> | boolean, ms: number, what: string, log: () => string) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; output:\n${log()}`);
}

/**
 * A fresh PostgreSQL database (dropped by stop()), `count` nodes (node dist/src/main.js, one process each, on
 * their own ports) and nginx in front on another port.
 */
export async function startCluster(opts: {
  pgUrl: string;
  count: number;
  env?: Record<string, string>;
  nginx?: boolean;
}): Promise<Cluster> {
  ensureBuilt();
  const nginxBin = opts.nginx === false ? '' : ensureNginx();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-nodes-'));
  const dbName = `lf_nodes_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: opts.pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(opts.pgUrl);
  u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();
  const dbClient = new pg.Client({ connectionString: databaseUrl });
  await dbClient.connect();

  const nodes: NodeProc[] = [];
  for (let i = 0; i < opts.count; i++)
    nodes.push({ port: await freePort(), proc: null as never, output: '' });
  const startNode = async (i: number) => {
    const n = nodes[i];
    n.output = '';
    n.proc = spawn(process.execPath, [path.join(root, 'dist', 'src', 'main.js')], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(n.port),
        DATABASE_URL: databaseUrl,
        // One machine here: the nodes share the upload folder (on several machines: a shared volume).
        DATA_DIR: path.join(dir, 'data'),
        LOG_LEVEL: 'warn',
        TRUST_PROXY: 'true',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    n.proc.stdout!.on('data', (d) => (n.output += d));
    n.proc.stderr!.on('data', (d) => (n.output += d));
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${n.port}/health`)).status === 200,
      120_000,
      `node ${i} on port ${n.port}`,
      () => n.output,
    );
  };
  // One after the other: the first applies the migrations.
  for (let i = 0; i < nodes.length; i++) await startNode(i);

  let nginx: ChildProcess | undefined;
  let url = `http://127.0.0.1:${nodes[0].port}`;
  if (nginxBin) {
    const port = await freePort();
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(
      conf,
      nginxConfig({ dir, port, upstreams: nodes.map((n) => n.port), asRoot: process.getuid?.() === 0 }),
    );
    let out = '';
    nginx = spawn(nginxBin, ['-c', conf, '-p', dir, '-e', path.join(dir, 'nginx-error.log')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nginx.stdout!.on('data', (d) => (out += d));
    nginx.stderr!.on('data', (d) => (out += d));
    url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(`${url}/health`)).status === 200,
      30_000,
      'nginx',
      () => out + fs.readFileSync(path.join(dir, 'nginx-error.log'), 'utf8'),
    );
  }

  return {
    url,
    databaseUrl,
    nodes,
    dir,
    admin: dbClient,
    startNode,
    async stop() {
      if (nginx && nginx.exitCode === null) nginx.kill('SIGQUIT');
      for (const n of nodes) if (n.proc && n.proc.exitCode === null) n.proc.kill('SIGTERM');
      await Promise.all(
        [nginx, ...nodes.map((n) => n.proc)].map(
          (p) =>
            p &&
            p.exitCode === null &&
            new Promise<void>((r) => {
              const t = setTimeout(() => (p.kill('SIGKILL'), r()), 15_000);
              p.once('exit', () => (clearTimeout(t), r()));
            }),
        ),
      );
      await dbClient.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await admin.end().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
