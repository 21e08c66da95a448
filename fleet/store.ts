/**
 * The fleet store through one query layer (Kysely 0.28, which runs on Node 20): SQLite by default
 * (better-sqlite3), PostgreSQL when configured (issue 19 item 8; the dialect is the only
 * difference, the queries are the same).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type Generated } from 'kysely';

export interface FleetTables {
  terminal: { id: string; chain: string | null; grp: string | null; token_hash: string | null; created_at: string };
  presence: { terminal_id: string; state: string; boot_id: string; seq: number; at: string; received_at: string; version: string; mode: string };
  health: { id: Generated<number>; terminal_id: string; received_at: string; body: string };
  desired: { terminal_id: string; version: number; config: string; updated_at: string };
  reported: { terminal_id: string; version: number; state: string; body: string; received_at: string };
  command: {
    id: string;
    terminal_id: string;
    kind: string;
    issued_at: string;
    expires_at: string;
    state: string;
    result: string | null;
    finished_at: string | null;
  };
}

export type FleetDb = Kysely<FleetTables>;

export function openSqliteStore(file: string): FleetDb {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database's mode.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return new Kysely<FleetTables>({ dialect: new SqliteDialect({ database: db }) });
}

/** Creates the tables (the same statements on SQLite and PostgreSQL). */
export async function migrateStore(db: FleetDb): Promise<void> {
  await db.schema
    .createTable('terminal')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('chain', 'text')
    .addColumn('grp', 'text')
    .addColumn('token_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('presence')
    .ifNotExists()
    .addColumn('terminal_id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('boot_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('health')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('terminal_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('health_by_terminal').ifNotExists().on('health').columns(['terminal_id', 'id']).execute();
  await db.schema
    .createTable('desired')
    .ifNotExists()
    .addColumn('terminal_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('reported')
    .ifNotExists()
    .addColumn('terminal_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('command')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('terminal_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await sql`SELECT 1`.execute(db);
}
