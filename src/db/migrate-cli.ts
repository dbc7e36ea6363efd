import { loadConfig, ConfigError } from '../config.js';
import { openDb } from './database.js';
import { migrateToLatest } from './migrate.js';

try {
  const config = loadConfig();
  const db = openDb({
    dialect: config.dialect,
    sqlitePath: config.sqlitePath,
    databaseUrl: config.databaseUrl,
  });
  const applied = await migrateToLatest(db.kysely);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  await db.close();
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `Migration failed: ${(e as Error).message}`);
  process.exit(1);
}
