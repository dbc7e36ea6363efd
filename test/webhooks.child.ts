/**
 * A Leadflow process whose job worker delivers webhooks, for test/webhooks-crash.test.ts: it opens the database
 * the test names (a SQLite file or a PostgreSQL schema), starts, prints "ready", and is killed by the test.
 */
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/database.js';
import { buildApp } from '../src/app.js';

const url = process.env.CHILD_DATABASE_URL;
const file = process.env.CHILD_SQLITE_PATH;
const db = url
  ? openDb({ dialect: 'postgres', databaseUrl: url, pgSchema: process.env.CHILD_PG_SCHEMA, poolSize: 2 })
  : openDb({ dialect: 'sqlite', sqlitePath: file! });
const config = loadConfig({
  LOG_LEVEL: 'silent',
  DATABASE_URL: url ?? `sqlite:${file}`,
  DATA_DIR: process.env.CHILD_DATA_DIR!,
});
const app = await buildApp({
  config,
  db,
  webDir: null,
  email: { digest: false },
  background: { jobs: { pollMs: 100, staleMs: 1500, heartbeatMs: 300 } },
});
await app.ready();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => db.close())
    .finally(() => process.exit(0));
});
