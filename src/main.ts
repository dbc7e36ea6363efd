import { loadConfig, ConfigError } from './config.js';
import { openDb } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { buildApp } from './app.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const db = openDb({
    dialect: config.dialect,
    sqlitePath: config.sqlitePath,
    databaseUrl: config.databaseUrl,
    busyTimeoutMs: config.dbBusyTimeoutMs,
    statementTimeoutMs: config.dbStatementTimeoutMs,
  });
  try {
    const applied = await migrateToLatest(db.kysely);
    if (applied.length) console.log(`Database migrated: ${applied.join(', ')}`);
  } catch (e) {
    console.error(`Could not prepare the database (${config.dialect}): ${(e as Error).message}`);
    process.exit(1);
  }
  const app = await buildApp({ config, db });
  const shutdown = async (signal: string) => {
    app.log.info(`${signal} received, shutting down`);
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    console.error(`Could not listen on ${config.host}:${config.port}: ${(e as Error).message}`);
    process.exit(1);
  }
  console.log(
    `Leadflow is running on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port} (database: ${config.dialect})`,
  );
}

await main();
