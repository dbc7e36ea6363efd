import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';

/**
 * Online backup of the SQLite database while the server runs (docs/operations.md, "Backup and restore").
 * `VACUUM INTO` copies one consistent snapshot (a single read transaction; in WAL mode writers go on), so it
 * finishes under continuous writes, where SQLite's page-by-page backup API (sqlite3 `.backup`) starts over on
 * every write by another connection and may never finish. The copy is then checked (`quick_check`).
 */
export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
  tables: Record<string, number>;
}

export function backupSqlite(
  source: string,
  dest: string,
  onProgress: (message: string) => void = () => {},
): BackupResult {
  if (!fs.existsSync(source)) throw new Error(`No database at ${source}.`);
  const target = path.resolve(dest);
  if (fs.existsSync(target)) throw new Error(`${target} already exists; choose a new file name.`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const started = Date.now();
  const db = new SQLite(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    onProgress(`copying ${source} (${fs.statSync(source).size} bytes + WAL) to ${target}`);
    db.prepare('VACUUM INTO ?').run(target);
  } finally {
    db.close();
  }
  onProgress(`copied in ${Date.now() - started} ms, checking`);
  const check = verifySqlite(target);
  const result = { file: target, bytes: fs.statSync(target).size, ms: Date.now() - started, tables: check };
  onProgress(`ok: ${result.bytes} bytes, ${Object.keys(check).length} tables, ${result.ms} ms`);
  return result;
}

/** quick_check and row counts per table; throws when the file is not a sound Leadflow database. */
export function verifySqlite(file: string): Record<string, number> {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const ok = db.pragma('quick_check', { simple: true });
    if (ok !== 'ok') throw new Error(`${file} failed quick_check: ${String(ok)}`);
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as Array<{ name: string }>;
    if (!tables.some((t) => t.name === 'kysely_migration'))
      throw new Error(`${file} is not a Leadflow database (no migrations table).`);
    const counts: Record<string, number> = {};
    for (const t of tables)
      counts[t.name] = (
        db.prepare(`SELECT count(*) AS n FROM "${t.name.replace(/"/g, '""')}"`).get() as { n: number }
      ).n;
    return counts;
  } finally {
    db.close();
  }
}

/**
 * Puts a backup in place of the database. The server must be stopped: a `-wal` file next to the target means a
 * process has it open (or crashed without a checkpoint), and restore refuses unless `force`. The old file is kept
 * as `<target>.before-restore-<time>`.
 */
export function restoreSqlite(
  backup: string,
  target: string,
  opts: { force?: boolean; onProgress?: (message: string) => void } = {},
): { keptOld: string | null; tables: Record<string, number> } {
  const say = opts.onProgress ?? (() => {});
  const tables = verifySqlite(backup);
  say(`backup ${backup} is sound (${Object.keys(tables).length} tables)`);
  const dest = path.resolve(target);
  if (fs.existsSync(`${dest}-wal`) && !opts.force)
    throw new Error(
      `${dest}-wal exists: the server seems to be running. Stop it first (or pass --force after a crash).`,
    );
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.restoring-${process.pid}`;
  fs.copyFileSync(backup, tmp);
  let keptOld: string | null = null;
  if (fs.existsSync(dest)) {
    keptOld = `${dest}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(dest, keptOld);
  }
  for (const ext of ['-wal', '-shm']) fs.rmSync(`${dest}${ext}`, { force: true });
  fs.renameSync(tmp, dest);
  say(`restored to ${dest}${keptOld ? ` (previous database kept as ${keptOld})` : ''}`);
  return { keptOld, tables };
}
