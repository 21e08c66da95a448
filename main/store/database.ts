import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations as defaultMigrations, type Migration } from './migrations';

export type Db = Database.Database;

export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_CORRUPT' | 'STORE_MIGRATION_FAILED' | 'STORE_TOO_NEW',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface OpenOptions {
  migrations?: Migration[];
}

/**
 * Opens the terminal's SQLite file: WAL, synchronous=FULL (the outbox and journal hold money),
 * foreign keys on, integrity check, then pending migrations.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new StoreError('STORE_CORRUPT', `SQLite integrity check failed for ${file}: ${String(check)}`);
    migrate(db, opts.migrations ?? defaultMigrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

export function migrate(db: Db, list: Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const current = schemaVersion(db);
  const known = Math.max(0, ...list.map((m) => m.version));
  if (current > known) {
    throw new StoreError('STORE_TOO_NEW', `database schema ${current} is newer than this build understands (${known}); refusing to touch it`);
  }
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      })();
    } catch (err) {
      throw new StoreError('STORE_MIGRATION_FAILED', `migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
    }
  }
}

/**
 * A mode module's own tables: its migrations are numbered within the module and recorded under
 * its name, so each module owns its schema and the core list never learns about sales or filings.
 */
export function migrateModule(db: Db, module: string, list: Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS module_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,
    PRIMARY KEY (module, version)) STRICT`);
  const current = (db.prepare('SELECT MAX(version) AS v FROM module_migrations WHERE module = ?').get(module) as { v: number | null }).v ?? 0;
  const known = Math.max(0, ...list.map((m) => m.version));
  if (current > known)
    throw new StoreError(
      'STORE_TOO_NEW',
      `the ${module} tables are at schema ${current}, newer than this build understands (${known}); refusing to touch them`,
    );
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('INSERT INTO module_migrations(module, version, name, applied_at) VALUES (?, ?, ?, ?)').run(
          module,
          m.version,
          m.name,
          new Date().toISOString(),
        );
      })();
    } catch (err) {
      throw new StoreError('STORE_MIGRATION_FAILED', `${module} migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
    }
  }
}
