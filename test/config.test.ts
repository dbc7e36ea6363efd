import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ConfigError, describeStorage, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('has working defaults: port 3000, localhost, an SQLite file under ./data', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dialect: 'sqlite',
      sqlitePath: './data/leadflow.db',
      logLevel: 'info',
    });
  });

  it('reads PostgreSQL URLs, ports, hosts and log levels', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/leads',
      LOG_LEVEL: 'WARN',
    });
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', dialect: 'postgres', logLevel: 'warn' });
  });

  it('says at start-up where the data lives: the full SQLite path, or PostgreSQL without its password', () => {
    // DATA_DIR moves the uploads, not the database: the line shows both, so an admin sees it.
    expect(describeStorage(loadConfig({ DATA_DIR: '/srv/leadflow' }))).toBe(
      `database: SQLite ${path.resolve('data/leadflow.db')}, files: /srv/leadflow`,
    );
    const pg = describeStorage(
      loadConfig({ DATABASE_URL: 'postgres://crm:s3cret@db.internal:6432/leads', DATA_DIR: '/srv/files' }),
    );
    expect(pg).toBe('database: PostgreSQL db.internal:6432/leads, files: /srv/files');
    expect(pg).not.toContain('s3cret');
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({
        PORT: 'abc',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        ATTACHMENT_MAX_BYTES: '-1',
        SECRET_KEY: 'too short',
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      for (const v of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'ATTACHMENT_MAX_BYTES', 'SECRET_KEY'])
        expect(msg).toContain(v);
    }
  });

  it('stops the server process with that message and a non-zero exit', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: '99999', DATABASE_URL: 'oracle://nope' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PORT="99999" must be an integer from 0 to 65535');
    expect(r.stderr).toContain('DATABASE_URL');
  });
});
