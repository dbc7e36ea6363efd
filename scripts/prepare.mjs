// Runs after `npm install`: builds the web app once so `npm start` can serve it.
// Skipped when the web app has no sources yet or vite is not installed (production installs without dev deps).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (process.env.LEADFLOW_SKIP_WEB_BUILD) process.exit(0);
if (!existsSync('web/vite.config.ts') || !existsSync('node_modules/vite')) process.exit(0);
const r = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('Building the web app failed; the API still works. Run `npm run build:web` to see why.');
}
