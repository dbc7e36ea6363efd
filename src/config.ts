import os from 'node:os';
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly dialect: 'sqlite' | 'postgres';
  /** For SQLite: the file path (or ':memory:'). */
  readonly sqlitePath: string;
  readonly logLevel: LogLevel;
  /** Directory for uploaded files (attachments, imports). */
  readonly dataDir: string;
  readonly attachmentMaxBytes: number;
  readonly importMaxBytes: number;
  /** Server processes `npm start` runs on one port (WORKERS; default: the number of cores). */
  readonly workers: number;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function parseIntVar(
  env: NodeJS.ProcessEnv,
  name: string,
  def: number,
  min: number,
  max: number,
  problems: string[],
) {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
    return def;
  }
  return n;
}

/** Reads the environment once; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const port = parseIntVar(env, 'PORT', 3000, 0, 65535, problems);
  const host = env.HOST && env.HOST.trim() !== '' ? env.HOST.trim() : '127.0.0.1';
  const databaseUrl =
    env.DATABASE_URL && env.DATABASE_URL.trim() !== ''
      ? env.DATABASE_URL.trim()
      : 'sqlite:./data/leadflow.db';
  let dialect: Config['dialect'] = 'sqlite';
  let sqlitePath = '';
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    dialect = 'postgres';
    try {
      new URL(databaseUrl);
    } catch {
      problems.push(`DATABASE_URL is not a valid postgres:// URL`);
    }
  } else if (databaseUrl.startsWith('sqlite:')) {
    sqlitePath = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (sqlitePath === '')
      problems.push('DATABASE_URL=sqlite: needs a file path, e.g. sqlite:./data/leadflow.db');
  } else {
    problems.push(
      `DATABASE_URL=${JSON.stringify(databaseUrl)} must start with sqlite: (e.g. sqlite:./data/leadflow.db) or postgres://`,
    );
  }
  const logLevelRaw = (env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  let logLevel: LogLevel = 'info';
  if (LOG_LEVELS.includes(logLevelRaw as LogLevel)) logLevel = logLevelRaw as LogLevel;
  else problems.push(`LOG_LEVEL=${JSON.stringify(env.LOG_LEVEL)} must be one of ${LOG_LEVELS.join(', ')}`);
  const dataDir = path.resolve(env.DATA_DIR && env.DATA_DIR.trim() !== '' ? env.DATA_DIR : './data');
  const attachmentMaxBytes = parseIntVar(env, 'ATTACHMENT_MAX_BYTES', 10 * 1024 * 1024, 1, 2 ** 31, problems);
  const importMaxBytes = parseIntVar(env, 'IMPORT_MAX_BYTES', 512 * 1024 * 1024, 1, 2 ** 40, problems);
  const workers = parseIntVar(env, 'WORKERS', os.availableParallelism(), 1, 256, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port,
    host,
    databaseUrl,
    dialect,
    sqlitePath,
    logLevel,
    dataDir,
    attachmentMaxBytes,
    importMaxBytes,
    workers,
  });
}
