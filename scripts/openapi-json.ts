/** Writes the server's /openapi.json to the file named on the command line (used by `npm run lint:openapi`). */
import fs from 'node:fs';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/database.js';
import { buildApp } from '../src/app.js';

const out = process.argv[2] ?? 'openapi.json';
const db = openDb({ dialect: 'sqlite', sqlitePath: ':memory:' });
const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: 'sqlite::memory:' });
const app = await buildApp({ config, db, webDir: null });
await app.ready();
const res = await app.inject({ method: 'GET', url: '/openapi.json' });
fs.writeFileSync(out, JSON.stringify(JSON.parse(res.body), null, 2));
await app.close();
await db.close();
