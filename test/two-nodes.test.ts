/**
 * Two compiled server processes on one PostgreSQL database behind nginx (issue 22 item 5): what one node counts
 * or claims, the other sees. Runs with the counters in the database, and again in Redis when one is reachable
 * (REDIS_URL, or 127.0.0.1:6379). PostgreSQL only: SQLite is one machine's file (test/cluster.test.ts).
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './two-nodes.helpers.js';

const pgUrl = process.env.TEST_DATABASE_URL ?? '';
const onPostgres = /^postgres(ql)?:\/\//.test(pgUrl);
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

async function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port || 6379), u.hostname);
    s.setTimeout(1000);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}
const redisUp = onPostgres && (await reachable(redisUrl));

const ANON_LIMIT = 20;
const EMAIL_FAILURES = 3;
const IMPORT_ROWS = 8_000;

function variant(name: 'database' | 'redis') {
  describe.skipIf(!onPostgres || (name === 'redis' && !redisUp))(
    `two nodes behind nginx, counters in ${name}`,
    () => {
      let c: Cluster;
      const prefix = `leadflow-test-${randomBytes(4).toString('hex')}:`;

      beforeAll(async () => {
        c = await startCluster({
          pgUrl,
          count: 2,
          env: {
            RATE_LIMIT_ANONYMOUS_PER_MINUTE: String(ANON_LIMIT),
            LOGIN_MAX_FAILURES_PER_EMAIL: String(EMAIL_FAILURES),
            JOB_STALE_MS: '6000',
            ...(name === 'redis' ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix } : {}),
          },
        });
      }, 300_000);

      afterAll(async () => {
        await c?.stop();
        if (name === 'redis' && redisUp) {
          const r = new Redis(redisUrl);
          const keys = await r.keys(`${prefix}*`);
          if (keys.length) await r.del(...keys);
          await r.quit();
        }
      }, 60_000);

      // Each check comes from its own client address (nginx passes X-Forwarded-For, TRUST_PROXY=true), so the
      // per-IP counters of one check do not spill into another.
      const ip = () => `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
      async function call(
        method: string,
        url: string,
        opts: { body?: unknown; token?: string; from?: string } = {},
      ) {
        const headers: Record<string, string> = { 'x-forwarded-for': opts.from ?? ip() };
        if (opts.body !== undefined) headers['content-type'] = 'application/json';
        if (opts.token) headers.authorization = `Bearer ${opts.token}`;
        return fetch(`${c.url}${url}`, {
          method,
          headers,
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        });
      }
      async function signup(email: string) {
        const res = await call('POST', '/api/v1/auth/signup', {
          body: { email, password: 'a long password 1', name: 'Node', organization_name: `Org ${email}` },
        });
        expect(res.status).toBe(201);
        return ((await res.json()) as { token: string }).token;
      }

      it('a rate limit is shared: the limit+1st request, spread over both nodes, gets a 429', async () => {
        const from = `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
        const upstreams = new Set<string>();
        const statuses: number[] = [];
        for (let i = 0; i < ANON_LIMIT + 1; i++) {
          const res = await call('GET', '/api/v1/leads', { from });
          upstreams.add(res.headers.get('x-upstream') ?? '');
          statuses.push(res.status);
        }
        expect(upstreams.size).toBe(2);
        // Without a token the list is a 401, counted by client address; one node alone saw about half of them.
        expect(statuses.slice(0, ANON_LIMIT).every((s) => s === 401)).toBe(true);
        expect(statuses[ANON_LIMIT]).toBe(429);
        if (name === 'redis') {
          const r = new Redis(redisUrl);
          expect((await r.keys(`${prefix}*`)).length).toBeGreaterThan(0);
          await r.quit();
        } else {
          const n = await c.admin.query('select count(*)::int as n from rate_counters');
          expect(n.rows[0].n).toBeGreaterThan(0);
        }
      }, 60_000);

      it("the activix surface's 200 a minute is counted over both nodes", async () => {
        const token = await signup(`ax-${randomBytes(3).toString('hex')}@example.com`);
        const upstreams = new Set<string>();
        let last = 0;
        for (let i = 0; i < 201; i++) {
          const res = await call('GET', '/compat/activix/account', { token });
          upstreams.add(res.headers.get('x-upstream') ?? '');
          last = res.status;
          if (i === 0) expect(res.status).toBe(200);
        }
        expect(upstreams.size).toBe(2);
        // Each node saw about 100 of them: only a shared count reaches 200.
        expect(last).toBe(429);
      }, 60_000);

      it('an idempotency key replays across nodes', async () => {
        const token = await signup(`idem-${randomBytes(3).toString('hex')}@example.com`);
        const key = randomBytes(12).toString('hex');
        const send = () =>
          fetch(`${c.url}/api/v1/leads`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify({ first_name: 'Once', last_name: 'Only' }),
          });
        const first = await send();
        const second = await send();
        expect(first.status).toBe(201);
        expect(second.status).toBe(201);
        expect(second.headers.get('x-upstream')).not.toBe(first.headers.get('x-upstream'));
        expect(second.headers.get('idempotent-replayed')).toBe('true');
        const a = (await first.json()) as { id: number };
        const b = (await second.json()) as { id: number };
        expect(b.id).toBe(a.id);
        const list = (await (await call('GET', '/api/v1/leads?include_total=true', { token })).json()) as {
          total: number;
        };
        expect(list.total).toBe(1);
      }, 60_000);

      it('sign-in lockout counts failures from both nodes', async () => {
        const email = `lock-${randomBytes(3).toString('hex')}@example.com`;
        await signup(email);
        const upstreams = new Set<string>();
        const statuses: number[] = [];
        // Each try from another address: only the per-email counter can add up.
        for (let i = 0; i < EMAIL_FAILURES + 3 && !statuses.includes(429); i++) {
          const res = await call('POST', '/api/v1/auth/login', {
            body: { email, password: 'wrong password' },
          });
          statuses.push(res.status);
          upstreams.add(res.headers.get('x-upstream') ?? '');
        }
        expect(upstreams.size).toBe(2);
        expect(statuses.slice(0, EMAIL_FAILURES)).toEqual(Array(EMAIL_FAILURES).fill(401));
        // Counted per node, the first node would reach 3 failures only at the 5th try and refuse the 7th;
        // shared, the 4th (or the 5th, if the 1 s backoff passed meanwhile on a slow machine) is refused.
        expect(statuses.indexOf(429)).toBeGreaterThanOrEqual(EMAIL_FAILURES);
        expect(statuses.indexOf(429)).toBeLessThanOrEqual(EMAIL_FAILURES + 1);
      }, 60_000);

      it("an import's job runs on one node; killed mid-job, the other node finishes it", async () => {
        const token = await signup(`import-${randomBytes(3).toString('hex')}@example.com`);
        const rows = ['First Name,Last Name,Email'];
        for (let i = 0; i < IMPORT_ROWS; i++) rows.push(`Ann${i},Node${i},ann${i}@nodes.example.com`);
        const form = new FormData();
        form.append('file', new Blob([rows.join('\n')]), 'nodes.csv');
        const up = await fetch(`${c.url}/api/v1/imports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: form,
        });
        expect(up.status).toBe(201);
        const { id } = (await up.json()) as { id: number };
        const run = await call('POST', `/api/v1/imports/${id}/run`, { token, body: {} });
        expect(run.status).toBe(202);

        const job = async () =>
          (
            await c.admin.query<{ id: number; status: string; locked_by: string | null; attempts: number }>(
              `select id, status, locked_by, attempts from jobs where kind like 'import%' order by id`,
            )
          ).rows;
        const progress = async () =>
          (await (await call('GET', `/api/v1/imports/${id}`, { token })).json()) as {
            status: string;
            counts: { read: number; created: number };
          };
        // Wait until a node is in the middle of it: some rows committed, far from all.
        let owner: string;
        const until = Date.now() + 120_000;
        for (;;) {
          const jobs = await job();
          const p = await progress();
          if (jobs.length === 1 && jobs[0].status === 'running' && p.counts.read > 0) {
            owner = jobs[0].locked_by!;
            break;
          }
          if (p.status === 'completed') throw new Error('the import finished before a node could be killed');
          if (Date.now() > until) throw new Error(`import not started: ${JSON.stringify({ jobs, p })}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        // One job, held by one node, and the same node keeps it while it runs.
        const pid = Number(owner.split('-')[0]);
        const victim = c.nodes.findIndex((n) => n.proc.pid === pid);
        const survivor = c.nodes[1 - victim];
        expect(victim).toBeGreaterThanOrEqual(0);
        await new Promise((r) => setTimeout(r, 300));
        const still = await job();
        expect(still).toHaveLength(1);
        if (still[0].status === 'running') expect(still[0].locked_by).toBe(owner);
        else throw new Error(`the import finished too fast to kill its node: ${JSON.stringify(still)}`);
        const readBefore = (await progress()).counts.read;
        expect(readBefore).toBeLessThan(IMPORT_ROWS);

        c.nodes[victim].proc.kill('SIGKILL');
        await new Promise((r) => c.nodes[victim].proc.once('exit', r));

        let done: Awaited<ReturnType<typeof progress>> | undefined;
        const deadline = Date.now() + 300_000;
        while (Date.now() < deadline) {
          const p = await progress();
          if (['completed', 'failed'].includes(p.status)) {
            done = p;
            break;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
        expect(done?.status).toBe('completed');
        const after = await job();
        expect(after).toHaveLength(1);
        expect(after[0].status).toBe('completed');
        expect(Number(after[0].locked_by!.split('-')[0])).toBe(survivor.proc.pid);
        expect(after[0].attempts).toBe(2);
        // Every row once: the resumed run carried on from the last committed batch.
        expect(done!.counts.created).toBe(IMPORT_ROWS);
        const total = (await (await call('GET', '/api/v1/leads?include_total=true', { token })).json()) as {
          total: number;
        };
        expect(total.total).toBe(IMPORT_ROWS);
      }, 400_000);
    },
  );
}

variant('database');
variant('redis');
