/**
 * Duplicate detection quality on the labelled set (test/duplicates-labelled.ts): precision and recall at the
 * flag score, per draw of the set, per perturbation and per kind of look-alike, and around the threshold.
 * `npm run bench:duplicates` (no server, no database: the blocking keys and the score the server uses).
 */
import { buildLabelledSet, measure, type LabelledPair } from '../test/duplicates-labelled.js';
import { FLAG_SCORE } from '../src/duplicates/match.js';

const f = (x: number) => x.toFixed(3);
const seeds = [23, 1, 2, 3, 4];
console.log(`flag score ${FLAG_SCORE}`);
console.log('seed  pairs  duplicates  precision  recall  false+  missed');
const all: LabelledPair[] = [];
for (const seed of seeds) {
  const set = buildLabelledSet(600, seed);
  all.push(...set);
  const q = measure(set);
  console.log(
    `${String(seed).padEnd(5)} ${String(q.pairs).padEnd(6)} ${String(q.duplicates).padEnd(11)} ${f(q.precision).padEnd(10)} ${f(q.recall).padEnd(7)} ${String(q.falsePositives).padEnd(7)} ${q.falseNegatives}`,
  );
}
const total = measure(all);
console.log(`all   ${total.pairs}   precision ${f(total.precision)}  recall ${f(total.recall)}`);

console.log('\nrecall per perturbation (duplicate pairs holding it):');
const kinds = new Set(all.filter((p) => p.duplicate).flatMap((p) => p.how.split('+')));
for (const k of [...kinds].sort()) {
  const subset = all.filter((p) => p.duplicate && p.how.split('+').includes(k));
  console.log(
    `  ${k.padEnd(16)} ${String(subset.length).padStart(4)} pairs  recall ${f(measure(subset).recall)}`,
  );
}
console.log('\nfalse positives per kind of look-alike:');
for (const k of [...new Set(all.filter((p) => !p.duplicate).map((p) => p.how))].sort()) {
  const subset = all.filter((p) => !p.duplicate && p.how === k);
  console.log(
    `  ${k.padEnd(24)} ${String(subset.length).padStart(4)} pairs  flagged ${measure(subset).falsePositives}`,
  );
}
console.log('\nthreshold  precision  recall');
for (const th of [0.6, 0.7, 0.8, 0.85, 0.9, 0.95]) {
  const q = measure(all, th);
  console.log(`${String(th).padEnd(10)} ${f(q.precision).padEnd(10)} ${f(q.recall)}`);
}
for (const m of total.misses.slice(0, 5))
  console.log(
    'missed:',
    m.how,
    JSON.stringify([m.a.first_name, m.a.last_name, m.a.company_name]),
    JSON.stringify([m.b.first_name, m.b.last_name, m.b.company_name, m.b.emails]),
  );
for (const m of total.wrong.slice(0, 5))
  console.log(
    'wrong:',
    m.how,
    JSON.stringify([m.a.first_name, m.a.last_name, m.a.company_name]),
    JSON.stringify([m.b.first_name, m.b.last_name, m.b.company_name]),
  );
