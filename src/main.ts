// One server process, migrations first (`npm run dev`, and the worker-less way to run it). `npm start` runs
// src/cluster.ts, which migrates once and starts WORKERS of these servers on one port.
import { configOrExit, migrateOrExit, serve } from './server.js';

const config = configOrExit();
await migrateOrExit(config);
await serve(config);
