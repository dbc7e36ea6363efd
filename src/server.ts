import { loadConfig, ConfigError, describeStorage, type Config } from './config.js';
import { openDb } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { buildApp } from './app.js';

/** Reads the configuration or exits with the list of bad variables. */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}

/** Applies pending migrations once (the cluster's primary does this before it starts any worker). */
export async function migrateOrExit(config: Config): Promise<void> {
  const db = openDb({
    dialect: config.dialect,
    sqlitePath: config.sqlitePath,
    databaseUrl: config.databaseUrl,
  });
  try {
    const applied = await migrateToLatest(db.kysely);
    if (applied.length) console.log(`Database migrated: ${applied.join(', ')}`);
  } catch (e) {
    console.error(`Could not prepare the database (${config.dialect}): ${(e as Error).message}`);
    process.exit(1);
  } finally {
    await db.close();
  }
}

/**
 * One server process: opens the database, builds the app and listens. SIGTERM/SIGINT stop accepting
 * connections, let the requests in flight finish (Fastify's close waits for them), stop the job worker, then
 * close the database. Under node:cluster every worker calls this and they share the port.
 */
export async function serve(config: Config, opts: { quiet?: boolean } = {}): Promise<void> {
  const db = openDb({
    dialect: config.dialect,
    sqlitePath: config.sqlitePath,
    databaseUrl: config.databaseUrl,
    busyTimeoutMs: config.dbBusyTimeoutMs,
    statementTimeoutMs: config.dbStatementTimeoutMs,
  });
  // JOB_STALE_MS: how old a running job's heartbeat must be before another process takes it over (default 30 s).
  const staleMs = Number(process.env.JOB_STALE_MS);
  const app = await buildApp({
    config,
    db,
    background: Number.isInteger(staleMs) && staleMs >= 3000 ? { jobs: { staleMs } } : undefined,
  });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal} received, finishing requests in flight`);
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
  if (!opts.quiet)
    console.log(
      `Leadflow is running on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port} (${describeStorage(config)})`,
    );
}
