/**
 * HTTP and bare-loop CPU per request of the read scenarios on an already seeded SQLite file (kept by
 * `http-profile.ts --keep`), for A/B runs of two builds on the same data: run it from each build's tree in turn.
 * Signs in as http-profile.ts's owner (p@example.com).
 *
 *   npx tsx bench/micro/read-ab.ts --file /tmp/x/prof.db [--only get,list_status,list_page2] [--duration 6]
 */
import fs from 'node:fs';
import os from 'node:os';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/database.js';
import { buildApp } from '../../src/app.js';
import type { AuthContext } from '../../src/access/roles.js';
import { appLeadPieces, buildScenarios } from '../scenarios.js';
import { runBare, runHttp } from '../load.js';

const { values: args } = parseArgs({
  options: {
    file: { type: 'string' },
    only: { type: 'string', default: 'get,list_status,list_page2' },
    duration: { type: 'string', default: '6' },
    connections: { type: 'string', default: '10' },
    label: { type: 'string', default: '' },
    /** Write a CPU profile of each HTTP run to this folder (cpu-profile-summary.mjs, cpu-profile-steps.mjs). */
    prof: { type: 'string' },
  },
});
const sqlitePath = args.file!;
const db = openDb({ dialect: 'sqlite', sqlitePath });
const config = loadConfig({
  LOG_LEVEL: 'silent',
  DATABASE_URL: `sqlite:${sqlitePath}`,
  DATA_DIR: path.dirname(sqlitePath),
  PORT: '0',
});
const app = await buildApp({
  config,
  db,
  webDir: null,
  rateLimits: { authenticatedPerMinute: 1e9, anonymousPerMinute: 1e9 },
});
try {
  await app.ready();
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: 'p@example.com', password: 'profile password 1' },
  });
  if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
  const { token } = res.json();
  const me = await app.inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: { authorization: `Bearer ${token}` },
  });
  const { user, organization_id } = me.json();
  const headers = { authorization: `Bearer ${token}` };
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  const { leads, service, readLeadData } = appLeadPieces(config, db, app.log);
  const auth: AuthContext = { kind: 'user', orgId: organization_id, userId: user.id, role: 'owner' };
  const scenarios = await buildScenarios({
    app: app as unknown as FastifyInstance,
    db: db.kysely,
    leads,
    service,
    readLeadData,
    auth,
    headers,
  });
  const settings = { connections: Number(args.connections), duration: Number(args.duration) };
  const warm = { ...settings, duration: 2 };
  for (const name of args.only!.split(',')) {
    const s = scenarios.find((x) => x.name === name)!;
    await runBare(s.bare, warm);
    await runHttp(origin, headers, s.requests, warm);
    const session = new Session();
    if (args.prof) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
    }
    const h = await runHttp(origin, headers, s.requests, settings);
    if (args.prof) {
      const { profile } = await session.post('Profiler.stop');
      fs.mkdirSync(args.prof, { recursive: true });
      fs.writeFileSync(
        path.join(args.prof, `${args.label.replace(/\W+/g, '_')}-${name}.cpuprofile`),
        JSON.stringify(profile),
      );
      session.disconnect();
    }
    const b = await runBare(s.bare, settings);
    console.log(
      `${args.label} ${name}: HTTP ${Math.round(h.rps)} req/s CPU ${h.cpuMsPerOp.toFixed(3)} ms | bare ${Math.round(b.rps)} req/s CPU ${b.cpuMsPerOp.toFixed(3)} ms | ratio rps ${((100 * h.rps) / b.rps).toFixed(1)}% cpu ${((100 * b.cpuMsPerOp) / h.cpuMsPerOp).toFixed(1)}% | HTTP-only ${(h.cpuMsPerOp - b.cpuMsPerOp).toFixed(3)} ms | load ${os.loadavg()[0].toFixed(1)}${h.failures ? ` | ${h.failures} FAILED` : ''}`,
    );
  }
} finally {
  await app.close();
  await db.close();
}
