// Splits a server .cpuprofile of an import (`npm run bench:import -- --cpu-prof DIR`) by the import's steps, each
// sample charged to the first step of the list below that has a frame on its stack: parse/map (csv-parse, the readers,
// the row mapper), the lead insert, the status-history insert, the duplicate refresh (src/duplicates), the
// commits, the planner statistics (refreshStats), the rest of the batch (webhook snapshots, audit, progress),
// GC and the rest (HTTP, polling, searches). Shares are of busy time (idle left out). The SQLite work of a
// statement (indexes, FTS, triggers) is native and charged to the step that sent it; the split of that is
// measured by bench/micro/import-sqlite.micro.ts.
//   node bench/micro/import-profile-split.mjs DIR/CPU.*.cpuprofile
import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const url = (n) => n.callFrame.url;
const fn = (n) => n.callFrame.functionName;
const STEPS = [
  ['duplicate refresh (src/duplicates)', (n) => /\/src\/duplicates\//.test(url(n))],
  ['commit (WAL append, checkpoints)', (n) => fn(n) === 'commitTransaction'],
  ['planner statistics (ANALYZE)', (n) => fn(n) === 'refreshStats'],
  ['status history insert (+ its triggers)', (n) => fn(n) === 'insertFirstStatusMany'],
  [
    'lead insert (+ indexes, FTS, triggers)',
    (n) => fn(n) === 'insertMany' && /lead\.repository/.test(url(n)),
  ],
  [
    'parse/map (csv-parse, readers, row mapper, values)',
    (n) =>
      /csv-parse|\/src\/imports\/(readers|row-mapper|parse-values|cell-values|value-map)\./.test(url(n)) ||
      fn(n) === 'mapRow',
  ],
  ['dedupe lookup (findByKey)', (n) => fn(n) === 'findByKey'],
  [
    'rest of the batch (src/imports, src/leads, webhooks, audit)',
    (n) => /\/src\/(imports|leads|webhooks|audit)\//.test(url(n)),
  ],
];
const totals = new Map();
let busy = 0;
for (let i = 0; i < p.samples.length; i++) {
  const id = p.samples[i];
  const d = p.timeDeltas[i] ?? 0;
  const leaf = byId.get(id);
  if (fn(leaf) === '(idle)' || fn(leaf) === '(program)') continue;
  busy += d;
  const stack = [];
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) stack.push(byId.get(cur));
  let step =
    fn(leaf) === '(garbage collector)' ? 'garbage collection' : 'rest (HTTP, polling, searches, other)';
  if (step !== 'garbage collection')
    for (const [name, test] of STEPS)
      if (stack.some(test)) {
        step = name;
        break;
      }
  totals.set(step, (totals.get(step) ?? 0) + d);
}
console.log(`busy ${(busy / 1e6).toFixed(1)} s`);
for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1]))
  console.log(`${((100 * v) / busy).toFixed(1).padStart(5)}%  ${(v / 1e6).toFixed(1).padStart(6)} s  ${k}`);
