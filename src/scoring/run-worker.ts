import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Labels, LeadSample } from './features.js';
import type { TrainOutput } from './model.js';

export interface WorkerResult {
  out: TrainOutput;
  /** Time spent fitting, in the worker. */
  ms: number;
  /** The worker's heap after fitting. */
  heapUsedBytes: number;
}

/**
 * Trains in a worker thread, so a fit never blocks the requests this process serves. From source (tsx, tests)
 * the worker is the .ts file, loaded through tsx; built, it is the .js beside this one.
 */
export function trainInWorker(input: {
  samples: LeadSample[];
  y: number[];
  labels: Labels;
  seed: number;
}): Promise<WorkerResult> {
  const js = new URL('./train.worker.js', import.meta.url);
  const ts = new URL('./train.worker.ts', import.meta.url);
  const fromSource = !fs.existsSync(js);
  // From source, a small bootstrap registers tsx's loader in the worker, then loads the .ts worker.
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); })`;
  const worker = new Worker(fromSource ? boot : js, {
    eval: fromSource,
    workerData: input,
    resourceLimits: { maxOldGenerationSizeMb: 1024 },
  });
  return new Promise((resolve, reject) => {
    let done = false;
    worker.once('message', (m: { ok: boolean; error?: string } & WorkerResult) => {
      done = true;
      void worker.terminate();
      if (m.ok) resolve({ out: m.out, ms: m.ms, heapUsedBytes: m.heapUsedBytes });
      else reject(new Error(`training failed: ${m.error}`));
    });
    worker.once('error', (err) => {
      done = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`the training worker stopped (exit code ${code})`));
    });
  });
}
