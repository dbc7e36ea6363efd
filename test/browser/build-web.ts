import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** The web app built from web/src once for the whole browser run (test/browser/build-web.ts). */
    webDir: string;
  }
}

/** Builds the web app from web/src into `outDir` as `npm run build:web` does. */
export async function buildWeb(outDir: string): Promise<void> {
  // Vitest sets NODE_ENV=test, which would bundle React's development build: build in production mode.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(repo, 'web', 'vite.config.ts'),
      logLevel: 'warn',
      mode: 'production',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

/**
 * Vitest globalSetup of the browser suite: one build of the web app for all the files (each file's server serves
 * it read-only) instead of one per file, which took ~6 s of each file's set-up.
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-web-'));
  await buildWeb(dir);
  project.provide('webDir', dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
