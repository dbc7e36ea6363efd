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
  /** smtp:// or smtps:// URL of the mail server (docs/email.md); null writes emails to the log and dataDir/mail. */
  readonly smtpUrl: string | null;
  /** The From address of every email. */
  readonly mailFrom: string;
  /** The address people reach this instance at: links in emails point there. */
  readonly publicUrl: string;
  /** SQLite busy_timeout: the wait for another process's write lock before answering 503. */
  readonly dbBusyTimeoutMs: number;
  /** PostgreSQL statement_timeout, and the longest wait for a free connection (both dialects), then 503. */
  readonly dbStatementTimeoutMs: number;
  /** Behind a TLS proxy: trust X-Forwarded-* (client IP, https) and send HSTS on https requests. */
  readonly trustProxy: boolean;
  /** Server processes `npm start` runs on one port (WORKERS; default: the number of cores). */
  readonly workers: number;
  /** WEBHOOK_ALLOW_PRIVATE: webhooks may call private/loopback addresses in every organization (development). */
  readonly webhookAllowPrivate: boolean;
  /** SECRET_KEY: the key secrets at rest are encrypted with (null: a generated dataDir/secret.key). */
  readonly secretKey: string | null;
  /** REDIS_URL: rate-limit and sign-in counters in Redis, shared by every node (docs/operations.md). */
  readonly redisUrl?: string | null;
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

/**
 * Where the data lives, for the start-up line: the SQLite file's full path, or PostgreSQL's host, port and database
 * (never the user or password), and the directory uploads go to. DATABASE_URL alone places the database: an admin
 * who moved DATA_DIR reads here that the SQLite file did not move with it.
 */
export function describeStorage(
  c: Pick<Config, 'dialect' | 'sqlitePath' | 'databaseUrl' | 'dataDir'>,
): string {
  let db = 'PostgreSQL';
  if (c.dialect === 'sqlite')
    db = `SQLite ${c.sqlitePath === ':memory:' ? 'in memory' : path.resolve(c.sqlitePath)}`;
  else {
    try {
      const u = new URL(c.databaseUrl);
      db = `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
    } catch {
      /* loadConfig refused it already */
    }
  }
  return `database: ${db}, files: ${c.dataDir}`;
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
  const smtpUrl = env.SMTP_URL && env.SMTP_URL.trim() !== '' ? env.SMTP_URL.trim() : null;
  if (smtpUrl !== null && !/^smtps?:\/\/[^/]/.test(smtpUrl))
    problems.push('SMTP_URL must look like smtp://user:pass@mail.example.com:587 or smtps://...:465');
  const mailFromRaw = env.MAIL_FROM?.trim() ?? '';
  if (smtpUrl !== null && mailFromRaw === '')
    problems.push('MAIL_FROM is required with SMTP_URL, e.g. MAIL_FROM="Leadflow <crm@example.com>"');
  else if (mailFromRaw !== '' && !/@[^@\s>]+>?$/.test(mailFromRaw))
    problems.push(
      `MAIL_FROM=${JSON.stringify(mailFromRaw)} must be an address, e.g. "Leadflow <crm@example.com>"`,
    );
  const mailFrom = mailFromRaw !== '' ? mailFromRaw : 'Leadflow <leadflow@localhost>';
  let publicUrl = env.PUBLIC_URL?.trim() || `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  if (!/^https?:\/\/[^/]/.test(publicUrl))
    problems.push(`PUBLIC_URL=${JSON.stringify(publicUrl)} must start with http:// or https://`);
  publicUrl = publicUrl.replace(/\/+$/, '');
  const dbBusyTimeoutMs = parseIntVar(env, 'DB_BUSY_TIMEOUT_MS', 5000, 0, 600_000, problems);
  const dbStatementTimeoutMs = parseIntVar(env, 'DB_STATEMENT_TIMEOUT_MS', 30_000, 0, 3_600_000, problems);
  const trustProxyRaw = (env.TRUST_PROXY ?? '').trim().toLowerCase();
  if (!['', '0', '1', 'true', 'false'].includes(trustProxyRaw))
    problems.push(`TRUST_PROXY=${JSON.stringify(env.TRUST_PROXY)} must be true or false`);
  const trustProxy = trustProxyRaw === '1' || trustProxyRaw === 'true';
  const workers = parseIntVar(env, 'WORKERS', os.availableParallelism(), 1, 256, problems);
  const whRaw = (env.WEBHOOK_ALLOW_PRIVATE ?? '').trim().toLowerCase();
  if (!['', '0', '1', 'true', 'false'].includes(whRaw))
    problems.push(`WEBHOOK_ALLOW_PRIVATE=${JSON.stringify(env.WEBHOOK_ALLOW_PRIVATE)} must be true or false`);
  const webhookAllowPrivate = whRaw === '1' || whRaw === 'true';
  const secretKey = env.SECRET_KEY && env.SECRET_KEY.trim() !== '' ? env.SECRET_KEY.trim() : null;
  if (secretKey !== null && secretKey.length < 32)
    problems.push('SECRET_KEY must be at least 32 characters, e.g. the output of: openssl rand -base64 32');
  const redisUrl = env.REDIS_URL && env.REDIS_URL.trim() !== '' ? env.REDIS_URL.trim() : null;
  if (redisUrl !== null && !/^rediss?:\/\/[^/]/.test(redisUrl))
    problems.push(`REDIS_URL must look like redis://127.0.0.1:6379 or rediss://user:pass@host:6380`);
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
    smtpUrl,
    mailFrom,
    publicUrl,
    dbBusyTimeoutMs,
    dbStatementTimeoutMs,
    trustProxy,
    workers,
    webhookAllowPrivate,
    secretKey,
    redisUrl,
  });
}
