/** `npm run backup [-- <file>]`: an online backup of the SQLite database named by DATABASE_URL. */
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { backupSqlite } from '../src/db/backup.js';

const config = loadConfig();
if (config.dialect !== 'sqlite') {
  console.error('DATABASE_URL is PostgreSQL: back it up with pg_dump (docs/operations.md).');
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = process.argv[2] ?? path.join(path.dirname(config.sqlitePath), 'backups', `leadflow-${stamp}.db`);
try {
  backupSqlite(config.sqlitePath, out, (m) => console.log(`backup: ${m}`));
} catch (e) {
  console.error(`backup failed: ${(e as Error).message}`);
  process.exit(1);
}
