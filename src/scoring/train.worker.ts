import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { train } from './model.js';
import type { Labels, LeadSample } from './features.js';

/** The training worker (node:worker_threads): fits off the server's event loop and posts the model back. */
interface Input {
  samples: LeadSample[];
  y: number[];
  labels: Labels;
  seed: number;
}

const input = workerData as Input;
try {
  const t0 = performance.now();
  const out = train(input.samples, input.y, input.labels, input.seed);
  const ms = Math.round(performance.now() - t0);
  parentPort!.postMessage({ ok: true, out, ms, heapUsedBytes: process.memoryUsage().heapUsed });
} catch (err) {
  parentPort!.postMessage({ ok: false, error: (err as Error).message ?? String(err) });
}
