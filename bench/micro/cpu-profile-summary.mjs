// Summarizes a V8 .cpuprofile (from `npm run bench:import -- --cpu-prof DIR`): self time by file and function,
// inclusive time of the project's own functions.
//   node bench/micro/cpu-profile-summary.mjs DIR/CPU.*.cpuprofile
import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
const dt = p.timeDeltas;
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const id = p.samples[i];
  const d = dt[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + d);
  total += d;
}
const key = (n) =>
  `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*\/(node_modules\/[^/]+|src)\//, '$1/')}:${n.callFrame.lineNumber}`;
const fn = new Map(),
  file = new Map(),
  incl = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  fn.set(key(n), (fn.get(key(n)) ?? 0) + t);
  const f =
    n.callFrame.url.replace(/.*\/(node_modules\/[^/]+|src\/[^/]+)\/.*/, '$1') || n.callFrame.functionName;
  file.set(f, (file.get(f) ?? 0) + t);
  // inclusive: walk up, count each distinct key once
  const seen = new Set();
  let cur = id;
  while (cur !== undefined) {
    const k = key(byId.get(cur));
    if (!seen.has(k)) {
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + t);
    }
    cur = parent.get(cur);
  }
}
const top = (m, n) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, v]) =>
        `${(v / 1e3).toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`,
    )
    .join('\n');
console.log(
  `total ${(total / 1e6).toFixed(1)} s\n-- self by file\n${top(file, 25)}\n-- self by function\n${top(fn, 30)}\n-- inclusive (src/)\n${top(new Map([...incl].filter(([k]) => / src\//.test(k))), 40)}`,
);
