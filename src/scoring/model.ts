import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import {
  buildEncoder,
  encode,
  minCount,
  type Column,
  type Encoder,
  type Feature,
  type Labels,
  type LeadSample,
} from './features.js';

/**
 * L2-regularized logistic regression fitted by Newton's method (iteratively reweighted least squares), every step
 * solved with ml-matrix's Cholesky decomposition. Features are binary and sparse (a lead has one feature per
 * column), so the Hessian X'WX is summed over each lead's few active pairs: a step costs
 * leads x (active features)^2 + features^3 / 3, well under a second for 10k leads (docs/decisions.md).
 */

export const MIN_OUTCOMES = 200;
export const MIN_PER_CLASS = 20;
const L2 = 1;
const MAX_ITER = 30;

export interface Fitted {
  bias: number;
  weights: number[];
  iterations: number;
}

export interface TrainedModel {
  version: 1;
  columns: Column[];
  features: Feature[];
  bias: number;
  weights: number[];
  /** Per column, the average weight over the training leads: a factor is a lead's weight against it. */
  baselines: Record<string, number>;
  /** Probability at or above which a lead is predicted to win (chosen on the training split: best F1). */
  cutoff: number;
}

export interface Metrics {
  auc: number;
  precision: number;
  recall: number;
  cutoff: number;
  train_size: number;
  test_size: number;
  /** How many Newton steps the final fit took. */
  iterations: number;
  /** How many binary features the final model has. */
  features: number;
}

export interface ColumnImportance {
  column: string;
  label: string;
  /** Spread (standard deviation) of the column's contribution to the log-odds over the leads trained on. */
  importance: number;
  /** The value of the column that pushes the score up the most, in words. */
  strongest_up: string | null;
  strongest_down: string | null;
}

export interface TrainOutput {
  model: TrainedModel;
  metrics: Metrics;
  importance: ColumnImportance[];
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Fits weights on encoded rows (feature indexes) and labels (1 won, 0 lost). */
export function fit(rows: number[][], y: number[], p: number, l2 = L2): Fitted {
  const w = new Float64Array(p);
  let b = 0;
  let iterations = 0;
  const d = p + 1; // the bias is the last coordinate, not regularized
  for (; iterations < MAX_ITER; iterations++) {
    const grad = new Float64Array(d);
    const h = new Float64Array(d * d);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      let z = b;
      for (const j of r) z += w[j];
      const mu = sigmoid(z);
      const g = mu - y[i];
      const s = Math.max(mu * (1 - mu), 1e-10);
      for (const j of r) {
        grad[j] += g;
        const row = j * d;
        for (const k of r) h[row + k] += s;
        h[row + p] += s;
      }
      grad[p] += g;
      const last = p * d;
      for (const k of r) h[last + k] += s;
      h[last + p] += s;
    }
    for (let j = 0; j < p; j++) {
      grad[j] += l2 * w[j];
      h[j * d + j] += l2;
    }
    h[p * d + p] += 1e-8;
    const H = new Matrix(d, d);
    for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) H.set(j, k, h[j * d + k]);
    const step = new CholeskyDecomposition(H).solve(Matrix.columnVector(Array.from(grad)));
    let biggest = 0;
    for (let j = 0; j < p; j++) {
      const s = step.get(j, 0);
      w[j] -= s;
      biggest = Math.max(biggest, Math.abs(s));
    }
    b -= step.get(p, 0);
    biggest = Math.max(biggest, Math.abs(step.get(p, 0)));
    if (biggest < 1e-6) {
      iterations++;
      break;
    }
  }
  return { bias: b, weights: Array.from(w), iterations };
}

export function predictRow(m: { bias: number; weights: number[] }, row: number[]): number {
  let z = m.bias;
  for (const j of row) z += m.weights[j];
  return sigmoid(z);
}

/** Area under the ROC curve (ties counted half), by ranks. */
export function auc(scores: number[], y: number[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (y[idx[k]] === 1) {
        pos++;
        rankSum += rank;
      }
    i = j + 1;
  }
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return 0.5;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** The cut-off with the best F1 on these scores. */
export function bestCutoff(scores: number[], y: number[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const pos = y.reduce((a, v) => a + v, 0);
  let tp = 0;
  let best = 0;
  let cut = 0.5;
  for (let k = 0; k < order.length; k++) {
    tp += y[order[k]];
    if (k + 1 < order.length && scores[order[k + 1]] === scores[order[k]]) continue;
    const f1 = (2 * tp) / (k + 1 + pos);
    if (f1 > best) {
      best = f1;
      cut = scores[order[k]];
    }
  }
  return cut;
}

function precisionRecall(scores: number[], y: number[], cutoff: number) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  scores.forEach((s, i) => {
    if (s >= cutoff) {
      if (y[i] === 1) tp++;
      else fp++;
    } else if (y[i] === 1) fn++;
  });
  return { precision: tp + fp ? tp / (tp + fp) : 0, recall: tp + fn ? tp / (tp + fn) : 0 };
}

/** A deterministic shuffle (mulberry32), so a retrain on the same data gives the same split. */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Indexes of a stratified split: `share` of each class to training, the rest held out. */
export function stratifiedSplit(y: number[], share: number, seed: number) {
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [0, 1]) {
    const members = shuffled(
      y.flatMap((v, i) => (v === cls ? [i] : [])),
      seed + cls,
    );
    const cut = Math.round(members.length * share);
    train.push(...members.slice(0, cut));
    test.push(...members.slice(cut));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

function finalize(enc: Encoder, f: Fitted, rows: number[][], cutoff: number): TrainedModel {
  const baselines: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const r of rows)
    for (const j of r) {
      const c = enc.features[j].column;
      baselines[c] = (baselines[c] ?? 0) + f.weights[j];
      counts[c] = (counts[c] ?? 0) + 1;
    }
  for (const c of Object.keys(baselines)) baselines[c] /= rows.length;
  // A feature (almost) no training lead had (no country, when every lead but one had one) says nothing: it
  // weighs what the average lead weighs in its column, neither zero (which would shift the score by the column's
  // mean) nor what one lead's outcome made of it.
  const seen = new Uint32Array(f.weights.length);
  for (const r of rows) for (const j of r) seen[j]++;
  const rare = minCount(rows.length);
  const weights = f.weights.map((w, j) => (seen[j] >= rare ? w : (baselines[enc.features[j].column] ?? 0)));
  return {
    version: 1,
    columns: enc.columns,
    features: enc.features,
    bias: f.bias,
    weights,
    baselines,
    cutoff,
  };
}

function importanceOf(model: TrainedModel, rows: number[][]): ColumnImportance[] {
  const out: ColumnImportance[] = [];
  for (const col of model.columns) {
    const contrib = rows.map((r) =>
      r.reduce((a, j) => (model.features[j].column === col.name ? a + model.weights[j] : a), 0),
    );
    const mean = contrib.reduce((a, v) => a + v, 0) / contrib.length;
    const sd = Math.sqrt(contrib.reduce((a, v) => a + (v - mean) ** 2, 0) / contrib.length);
    const mine = model.features.flatMap((f, j) => (f.column === col.name ? [j] : []));
    const up = mine.reduce((a, j) => (model.weights[j] > model.weights[a] ? j : a), mine[0]);
    const down = mine.reduce((a, j) => (model.weights[j] < model.weights[a] ? j : a), mine[0]);
    out.push({
      column: col.name,
      label: col.label,
      importance: Math.round(sd * 1000) / 1000,
      strongest_up: up !== undefined && model.weights[up] > 0 ? model.features[up].text : null,
      strongest_down: down !== undefined && model.weights[down] < 0 ? model.features[down].text : null,
    });
  }
  return out.sort((a, b) => b.importance - a.importance);
}

/**
 * Trains on the outcomes: fits on a stratified 70% (encoder built from that part only) and measures the other
 * 30% (AUC, and precision and recall at the F1-best cut-off of the training part), then fits the model kept on
 * every outcome.
 */
export function train(samples: LeadSample[], y: number[], labels: Labels, seed = 1): TrainOutput {
  const { train: tr, test: te } = stratifiedSplit(y, 0.7, seed);
  const enc = buildEncoder(
    tr.map((i) => samples[i]),
    labels,
  );
  const trRows = tr.map((i) => encode(enc, samples[i]));
  const trY = tr.map((i) => y[i]);
  const held = fit(trRows, trY, enc.features.length);
  const cutoff = bestCutoff(
    trRows.map((r) => predictRow(held, r)),
    trY,
  );
  const teScores = te.map((i) => predictRow(held, encode(enc, samples[i])));
  const teY = te.map((i) => y[i]);
  const pr = precisionRecall(teScores, teY, cutoff);

  const fullEnc = buildEncoder(samples, labels);
  const rows = samples.map((s) => encode(fullEnc, s));
  const full = fit(rows, y, fullEnc.features.length);
  const model = finalize(fullEnc, full, rows, cutoff);
  return {
    model,
    metrics: {
      auc: auc(teScores, teY),
      precision: pr.precision,
      recall: pr.recall,
      cutoff,
      train_size: tr.length,
      test_size: te.length,
      iterations: full.iterations,
      features: fullEnc.features.length,
    },
    importance: importanceOf(model, rows),
  };
}

export interface Factor {
  text: string;
  direction: 'up' | 'down';
  /** The feature's pull on the log-odds against the average lead trained on. */
  impact: number;
}

/** A lead's score (0-100) and the factors that push it up and down the most (three each), in words. */
export function explain(model: TrainedModel, s: LeadSample): { score: number; factors: Factor[] } {
  const row = encode(model, s);
  const score = Math.round(predictRow(model, row) * 100);
  const parts = row.map((j) => {
    const f = model.features[j];
    return { text: f.text, impact: model.weights[j] - (model.baselines[f.column] ?? 0) };
  });
  const up = parts
    .filter((p) => p.impact > 0.05)
    .sort((a, b) => b.impact - a.impact)
    .slice(0, 3);
  const down = parts
    .filter((p) => p.impact < -0.05)
    .sort((a, b) => a.impact - b.impact)
    .slice(0, 3);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    score,
    factors: [
      ...up.map((p) => ({ text: `${p.text} (+)`, direction: 'up' as const, impact: round(p.impact) })),
      ...down.map((p) => ({ text: `${p.text} (-)`, direction: 'down' as const, impact: round(p.impact) })),
    ],
  };
}
