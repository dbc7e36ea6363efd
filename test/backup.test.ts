/**
 * `npm run backup` / `npm run restore` (docs/operations.md, "Backup and restore"): the backup finishes while 4
 * other processes write continuously, holds every lead that was there, and a restore brings the app back on it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { buildApp } from '../src/app.js';
import { backupSqlite, restoreSqlite } from '../src/db/backup.js';
import { createLead, onPostgres, signup } from './helpers.js';

const WRITER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('journal_mode = WAL'); db.pragma('busy_timeout = 5000');
const ins = db.prepare('INSERT INTO writer_log (writer, payload) VALUES (?, ?)');
const until = Date.now() + Number(process.argv[3]);
let n = 0;
while (Date.now() < until) { ins.run(Number(process.argv[2]), 'x'.repeat(2000)); n++; }
console.log(n);
`;

async function appOn(file: string, dataDir: string) {
  const db = openDb({ dialect: 'sqlite', sqlitePath: file });
  await migrateToLatest(db.kysely);
  const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: `sqlite:${file}`, DATA_DIR: dataDir });
  const app = (await buildApp({ config, db, webDir: null })) as unknown as FastifyInstance;
  await app.ready();
  return { app, close: async () => (await app.close(), await db.close()) };
}

describe.skipIf(onPostgres)('SQLite backup and restore under writes', () => {
  it('backs up while 4 writers run, then restores into a working app', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-backup-'));
    const file = path.join(dir, 'live.db');
    try {
      const live = await appOn(file, path.join(dir, 'data'));
      const s = await signup(live.app, { password: 'backup password 1' });
      for (let i = 0; i < 30; i++) await createLead(live.app, s, { last_name: `Backup${i}` });
      // Some bulk so the copy takes more than an instant, and a table the writers fill.
      const raw = new SQLite(file);
      raw.exec('CREATE TABLE writer_log (id INTEGER PRIMARY KEY, writer INTEGER, payload TEXT)');
      const fill = raw.prepare('INSERT INTO writer_log (writer, payload) VALUES (0, ?)');
      raw.transaction(() => {
        for (let i = 0; i < 10_000; i++) fill.run('y'.repeat(2000));
      })();
      raw.close();

      const writers: ChildProcess[] = [];
      const outputs: Promise<number>[] = [];
      for (let w = 1; w <= 4; w++) {
        const child = spawn(process.execPath, ['-e', WRITER, file, String(w), '4000'], {
          cwd: process.cwd(),
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        writers.push(child);
        outputs.push(
          new Promise((resolve) => {
            let out = '';
            child.stdout!.on('data', (d) => (out += d));
            child.on('close', () => resolve(Number(out.trim())));
          }),
        );
      }
      // Let the writers get going, then back up while they write.
      await new Promise((r) => setTimeout(r, 700));
      const progress: string[] = [];
      const result = backupSqlite(file, path.join(dir, 'backup.db'), (m) => progress.push(m));
      const writes = await Promise.all(outputs);
      for (const n of writes) expect(n).toBeGreaterThan(0);
      expect(result.ms).toBeLessThan(20_000);
      expect(progress.at(-1)).toMatch(/^ok:/);
      expect(result.tables.leads).toBe(30);
      expect(result.tables.writer_log).toBeGreaterThanOrEqual(10_000);
      await live.close();

      // Restore refuses while the target looks open (a -wal file), then puts the backup in place.
      const target = path.join(dir, 'restored.db');
      fs.writeFileSync(target, '');
      fs.writeFileSync(`${target}-wal`, '');
      expect(() => restoreSqlite(result.file, target)).toThrow(/running/);
      fs.rmSync(`${target}-wal`);
      const restored = restoreSqlite(result.file, target);
      expect(restored.keptOld).not.toBeNull();
      const back = await appOn(target, path.join(dir, 'data2'));
      const signin = await back.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: s.email, password: 'backup password 1' },
      });
      expect(signin.statusCode).toBe(200);
      const list = await back.app.inject({
        method: 'GET',
        url: '/api/v1/leads?limit=200',
        headers: { authorization: `Bearer ${signin.json().token}` },
      });
      expect(list.json().data).toHaveLength(30);
      await back.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('npm run backup writes a checked copy of DATABASE_URL and refuses to overwrite', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-backup-cli-'));
    try {
      const file = path.join(dir, 'cli.db');
      const db = new SQLite(file);
      db.exec('CREATE TABLE kysely_migration (name TEXT)');
      db.close();
      const out = path.join(dir, 'copy.db');
      const env = { ...process.env, DATABASE_URL: `sqlite:${file}` };
      const run = () => spawnSync('npx', ['tsx', 'scripts/backup.ts', out], { env, encoding: 'utf8' });
      const first = run();
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/backup: ok:/);
      const second = run();
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/already exists/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
