import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The compiled server (`npm start`) with WORKERS=2 on one SQLite file: what a deployment runs.
const root = path.resolve(import.meta.dirname, '..');
const entry = path.join(root, 'dist', 'src', 'cluster.js');
let dir = '';
let port = 0;
let primary: ChildProcess | undefined;
let output = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

function workerPids(): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(primary!.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

async function waitFor(check: () => Promise<boolean> | boolean, ms: number, what: string) {
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
  throw new Error(`timed out waiting for ${what}; server output:\n${output}`);
}

async function api(method: string, url: string, body?: unknown, token?: string) {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as any };
}

beforeAll(async () => {
  // Compile when dist/ is missing or older than the sources (npm install compiles it; a test run may not have).
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
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-cluster-'));
  port = await freePort();
  primary = spawn(process.execPath, [entry], {
    cwd: root,
    env: {
      ...process.env,
      WORKERS: '2',
      PORT: String(port),
      DATABASE_URL: `sqlite:${path.join(dir, 'cluster.db')}`,
      DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '40',
      // Client addresses from X-Forwarded-For, so the rate-limit check has an address of its own.
      TRUST_PROXY: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  primary.stdout!.on('data', (d) => (output += d));
  primary.stderr!.on('data', (d) => (output += d));
  await waitFor(() => output.includes('2 workers'), 120_000, 'both workers to listen');
}, 240_000);

afterAll(() => {
  if (primary && primary.exitCode === null) primary.kill('SIGKILL');
  for (const pid of primary ? workerPids() : []) process.kill(pid, 'SIGKILL');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm start with WORKERS=2 on one SQLite file', () => {
  let token = '';

  it('runs two worker processes, and concurrent writes through both all succeed', async () => {
    expect(workerPids()).toHaveLength(2);
    // The start-up line says where the data is.
    expect(output).toContain(`database: SQLite ${path.join(dir, 'cluster.db')}, files: ${dir}; 2 workers`);
    const signup = await api('POST', '/api/v1/auth/signup', {
      email: 'ops@example.com',
      password: 'a long password',
      name: 'Ops',
      organization_name: 'Ops Org',
    });
    expect(signup.status).toBe(201);
    token = signup.json.token;
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        api('POST', '/api/v1/leads', { first_name: `Lead ${i}`, last_name: 'Concurrent' }, token),
      ),
    );
    expect(results.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    const list = await api('GET', '/api/v1/leads?limit=200&include_total=true', undefined, token);
    expect(list.status).toBe(200);
    expect(list.json.data.filter((l: any) => l.last_name === 'Concurrent')).toHaveLength(60);
  }, 60_000);

  it('replaces a worker that crashed', async () => {
    const before = workerPids();
    process.kill(before[0], 'SIGKILL');
    await waitFor(
      () => {
        const now = workerPids();
        return now.length === 2 && !now.includes(before[0]);
      },
      90_000,
      'a replacement worker',
    );
    await waitFor(async () => (await api('GET', '/health')).status === 200, 30_000, '/health');
    // Every request lands on a live worker once the replacement listens.
    await waitFor(() => (output.match(/Worker \d+ exited/g) ?? []).length === 1, 5_000, 'the exit log');
    const r = await Promise.all(Array.from({ length: 10 }, () => api('GET', '/health')));
    expect(r.map((x) => x.status)).toEqual(Array(10).fill(200));
  }, 120_000);

  it('shares rate limits between the workers: the 41st request over fresh connections gets a 429', async () => {
    // A new connection per request: node:cluster hands them to the workers in turn, so each saw about 20.
    const get = () =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(
          {
            host: '127.0.0.1',
            port,
            path: '/api/v1/leads',
            agent: false,
            headers: { 'x-forwarded-for': '198.51.100.41' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          },
        );
        req.on('error', reject);
      });
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push(await get());
    expect(statuses.slice(0, 40)).toEqual(Array(40).fill(401));
    expect(statuses[40]).toBe(429);
  }, 60_000);

  it('a session or API key both workers have cached is refused by both on the next request after its revocation', async () => {
    // A new connection per request: node:cluster hands them to the workers in turn, so both look the token up
    // (and cache it, src/access/auth-cache.ts) before the revocation, and both must see it at once after.
    const get = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(
          { host: '127.0.0.1', port, path: '/api/v1/leads?limit=1', agent: false, headers },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          },
        );
        req.on('error', reject);
      });
    const six = async (headers: Record<string, string>) => {
      const out: number[] = [];
      for (let i = 0; i < 6; i++) out.push(await get(headers));
      return out;
    };
    const login = await api('POST', '/api/v1/auth/login', {
      email: 'ops@example.com',
      password: 'a long password',
    });
    expect(login.status).toBe(200);
    const session = { authorization: `Bearer ${login.json.token}` };
    expect(await six(session)).toEqual(Array(6).fill(200));
    expect((await api('POST', '/api/v1/auth/logout', undefined, login.json.token)).status).toBeLessThan(300);
    expect(await six(session)).toEqual(Array(6).fill(401));

    const key = await api('POST', '/api/v1/api-keys', { name: 'cluster', scopes: ['leads:read'] }, token);
    expect(key.status).toBe(201);
    const keyHeaders = { authorization: `Bearer ${key.json.key}` };
    expect(await six(keyHeaders)).toEqual(Array(6).fill(200));
    expect((await api('DELETE', `/api/v1/api-keys/${key.json.id}`, undefined, token)).status).toBe(204);
    expect(await six(keyHeaders)).toEqual(Array(6).fill(401));
  }, 60_000);

  it('on SIGTERM finishes a request in flight, then exits', async () => {
    const body = JSON.stringify({ first_name: 'In', last_name: 'Flight' });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/leads',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', reject);
      // Half the body now, the rest after the signal: the request is in flight when SIGTERM arrives.
      req.write(body.slice(0, 10));
      setTimeout(() => {
        primary!.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 700);
      }, 300);
    });
    const exited = new Promise<number | null>((resolve) => primary!.once('exit', (code) => resolve(code)));
    const res = await answer;
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body).last_name).toBe('Flight');
    expect(await exited).toBe(0);
    // No new connection is accepted after the drain.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 60_000);
});
