// Runs after `npm install`: compiles the server to JavaScript (dist/, what `npm start` runs) and builds the web
// app once so `npm start` can serve it.
// Each step is skipped when its sources or its tool are missing (production installs without dev deps use a
// dist/ built elsewhere).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!process.env.LEADFLOW_SKIP_SERVER_BUILD && existsSync('tsconfig.build.json') && existsSync('node_modules/typescript')) {
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('Compiling the server failed; `npm run dev` still runs it from source. Run `npm run build:server` to see why.');
    process.exitCode = 1;
  }
}

if (process.env.LEADFLOW_SKIP_WEB_BUILD) process.exit();
if (!existsSync('web/vite.config.ts') || !existsSync('node_modules/vite')) process.exit();
const r = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('Building the web app failed; the API still works. Run `npm run build:web` to see why.');
}
