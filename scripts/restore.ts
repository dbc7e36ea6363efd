/** `npm run restore -- <backup file> [--force]`: puts a backup in place of DATABASE_URL's SQLite file. */
import { loadConfig } from '../src/config.js';
import { restoreSqlite } from '../src/db/backup.js';

const args = process.argv.slice(2);
const force = args.includes('--force');
const file = args.find((a) => !a.startsWith('--'));
const config = loadConfig();
if (!file) {
  console.error('usage: npm run restore -- <backup file> [--force]   (stop the server first)');
  process.exit(2);
}
if (config.dialect !== 'sqlite') {
  console.error('DATABASE_URL is PostgreSQL: restore with pg_restore / psql (docs/operations.md).');
  process.exit(2);
}
try {
  restoreSqlite(file, config.sqlitePath, { force, onProgress: (m) => console.log(`restore: ${m}`) });
} catch (e) {
  console.error(`restore failed: ${(e as Error).message}`);
  process.exit(1);
}
