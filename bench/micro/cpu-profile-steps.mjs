// Splits a server .cpuprofile (bench/micro/http-profile.ts) two ways: by kind of work (SQL execution, Kysely
// building and compiling queries, serialization, the HTTP write, GC, ...) and by request step (authentication,
// rate limit, the list query, each lead part, presenting, serializing, onSend hooks). Shares are of busy time:
// idle and the profiler's own work are left out.
//   node bench/micro/cpu-profile-steps.mjs FILE.cpuprofile [requests]
import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const requests = Number(process.argv[3] ?? 0);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const url = (n) => n.callFrame.url;
const fn = (n) => n.callFrame.functionName;
const stack = (id) => {
  const s = [];
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) s.push(byId.get(cur));
  return s; // leaf first
};
const KIND = [
  ['profiler (left out)', (s) => s.some((n) => url(n) === 'node:inspector' || /http-profile\.ts$/.test(url(n)) && fn(n) !== 'executeQuery')],
  ['idle (left out)', (s) => fn(s[0]) === '(idle)'],
  // better-sqlite3's native call is often charged to the JS frame it was inlined into: Kysely's SQLite
  // executeQuery, or provideConnection when that was inlined too (SQLite only; on PostgreSQL those are JS).
  ['SQL execution (SQLite, native)', (s) => (['all', 'run', 'get', 'iterate'].includes(fn(s[0])) && url(s[0]) === '') || (fn(s[0]) === 'executeQuery' && /sqlite-driver/.test(url(s[0]))) || (fn(s[0]) === 'provideConnection' && process.env.DIALECT !== 'postgres')],
  ['garbage collection', (s) => fn(s[0]) === '(garbage collector)'],
  ['socket write (writev)', (s) => s.slice(0, 3).some((n) => /^writev/.test(fn(n)))],
  ['serializer (fast-json-stringify)', (s) => s.some((n) => /fast-json-stringify/.test(url(n)) || (/^anonymous\d+$/.test(fn(n)) && url(n) === ''))],
  ['Kysely: build, compile, run', (s) => /node_modules\/kysely/.test(url(s[0]))],
  ['pg driver', (s) => /node_modules\/pg/.test(url(s[0]))],
  ['Fastify, router, hooks runner', (s) => /node_modules\/(fastify|find-my-way|avvio|light-my-request)/.test(url(s[0]))],
  ['helmet', (s) => /node_modules\/(helmet|@fastify\/helmet)/.test(url(s[0]))],
  ['ajv validators', (s) => /^validate\d*$/.test(fn(s[0]))],
  ['Node HTTP (parse, headers, streams)', (s) => /^node:(_http|internal\/streams|internal\/stream_base|net|stream)/.test(url(s[0])) || fn(s[0]) === 'writeHead'],
  ['Node async (promises, microtasks, async_hooks)', (s) => /^node:internal\/(async_hooks|process\/task_queues|promise)/.test(url(s[0])) || ['runMicrotasks', '(program)'].includes(fn(s[0]))],
  ['crypto (token hash)', (s) => /crypto/.test(url(s[0])) || s.slice(0, 3).some((n) => fn(n) === 'hashToken')],
  ['project code (src/)', (s) => /\/src\//.test(url(s[0]))],
  ['other', () => true],
];
const STEP = [
  ['(left out)', (s) => s.some((n) => url(n) === 'node:inspector' || (/http-profile\.ts$/.test(url(n)) && fn(n) !== 'executeQuery')) || fn(s[0]) === '(idle)'],
  ['garbage collection', (s) => fn(s[0]) === '(garbage collector)'],
  ['authentication (auth hook)', (s) => s.some((n) => /src\/http\/auth\.ts$/.test(url(n)) || fn(n) === 'authenticate')],
  ['rate limit hook', (s) => s.some((n) => /src\/http\/(rate-limit|counter-store)\.ts$/.test(url(n)))],
  ['duplicates part (open pairs)', (s) => s.some((n) => /src\/duplicates\//.test(url(n)))],
  ['lead parts (users, teams, points, items, consent)', (s) => s.some((n) => fn(n) === 'describe' && /src\/leads\//.test(url(n)))],
  ['company/contact links', (s) => s.some((n) => /src\/accounts\//.test(url(n)))],
  ['tags query', (s) => s.some((n) => fn(n) === 'tagsFor')],
  ['lead query (list / findById)', (s) => s.some((n) => /src\/leads\/lead\.repository\.ts$/.test(url(n)))],
  ['statuses / settings cache', (s) => s.some((n) => /src\/db\/org-cache\.ts$/.test(url(n)) && fn(n) !== 'executeQuery' || /status/.test(url(n)))],
  ['rows to DTOs (toLeadResponse, part views)', (s) => s.some((n) => /src\/leads\/lead-presenter\.ts$/.test(url(n)) || fn(n) === 'toLeadResponse')],
  ['rest of the service call', (s) => s.some((n) => /src\/leads\/lead\.service\.ts$/.test(url(n)))],
  ['serialization', (s) => s.some((n) => fn(n) === 'serialize' || /fast-json-stringify/.test(url(n)))],
  ['onSend hooks (headers, projection, idempotency, audit)', (s) => s.some((n) => /src\/http\/(security-headers|idempotency|audit-trail)\.ts$|lead\.routes\.ts$/.test(url(n)) && /onSend|projectPayload|(anon)/.test(fn(n)))],
  ['socket write', (s) => s.slice(0, 4).some((n) => /^writev|^_writeRaw|^_send$/.test(fn(n)))],
  ['SQL executed elsewhere', (s) => fn(s[0]) === 'executeQuery' || fn(s[0]) === 'all'],
  ['Fastify request path, Node HTTP, other', () => true],
];
const tally = (rules) => {
  const m = new Map(rules.map(([k]) => [k, 0]));
  let busy = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const s = stack(p.samples[i]);
    const d = p.timeDeltas[i] ?? 0;
    const k = rules.find(([, f]) => f(s))[0];
    m.set(k, m.get(k) + d);
    if (!/left out/.test(k)) busy += d;
  }
  return { m, busy };
};
for (const [title, rules] of [['by kind of work', KIND], ['by request step', STEP]]) {
  const { m, busy } = tally(rules);
  console.log(`-- ${title} (busy ${(busy / 1e3).toFixed(0)} ms${requests ? `, ${(busy / 1e3 / requests).toFixed(3)} ms/request` : ''})`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1])) {
    if (/left out/.test(k) || v === 0) continue;
    console.log(`${((100 * v) / busy).toFixed(1).padStart(6)}%  ${requests ? `${(v / 1e3 / requests).toFixed(3)} ms/req  ` : ''}${k}`);
  }
}
