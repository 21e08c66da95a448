/**
 * The fleet store through one query layer (Kysely 0.28, which runs on Node 20): SQLite by default
 * (better-sqlite3), PostgreSQL when configured (issue 19 item 8; the dialect is the only
 * difference, the queries are the same).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Generated } from 'kysely';
import pg from 'pg';

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
  /** Signed packages the fleet serves (fleet/rollouts.ts). */
  release: { version: string; file: string; size: number; sha256: string; signature: string; created_at: string };
  /** A rollout: its policy and the planner's state (fleet/rollout.ts), as JSON. */
  rollout: {
    id: string;
    version: string;
    grp: string | null;
    policy: string;
    window_seconds: number;
    state: string;
    aborted: number;
    created_at: string;
    updated_at: string;
  };
  /** Face enrolments shared in a chain (fleet/faces.ts): opaque sealed blobs, their order and tombstones. */
  face_share: { shared_id: string; chain: string; chain_person: string; origin: string; blob: string | null; version: number; deleted: number; at: string };
  /** Each terminal's answer to each entry (stored, deleted, refused). */
  face_share_ack: { shared_id: string; terminal_id: string; version: number; state: string; body: string; received_at: string };
  /** The chain's manifest version: the last entry version it published. */
  face_manifest: { chain: string; version: number; updated_at: string };
  /** Each target's last word on its job (progress, or how it ended). */
  rollout_report: { rollout_id: string; terminal_id: string; state: string; body: string; received_at: string };
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

// ── PostgreSQL (issue 19 item 8): which database a store spec names, the pool, the column types ──

/** Which database the store is on; passed to migrateStore by whoever opened it (never sniffed). */
export type StoreDialect = 'sqlite' | 'postgres';

/** A SQLite file, or a `postgres://` (`postgresql://`) connection string. */
export type StoreSpec = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

export interface FleetStore {
  db: FleetDb;
  dialect: StoreDialect;
  /** What to show in logs: the file, or the URL with its password masked. */
  label: string;
}

/** FLEET_STORE_SPEC: the spec names no usable store. FLEET_STORE_UNAVAILABLE: it does, but opening or migrating it failed. */
export class FleetStoreError extends Error {
  constructor(
    readonly code: 'FLEET_STORE_SPEC' | 'FLEET_STORE_UNAVAILABLE',
    message: string,
  ) {
    super(message);
  }
}

/** The spec with any password (in the user part or as `?password=`) replaced by `***`. */
export function maskStoreSpec(spec: string): string {
  return spec.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:).*@/i, '$1***@').replace(/([?&](?:ssl)?password=)[^&#]*/gi, '$1***');
}

export function parseStoreSpec(text: string): StoreSpec {
  const spec = text.trim();
  if (!spec) throw new FleetStoreError('FLEET_STORE_SPEC', 'the store is empty: give a SQLite file or a postgres:// URL');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec)?.[1]?.toLowerCase();
  if (scheme === undefined) return { dialect: 'sqlite', file: spec };
  if (scheme !== 'postgres' && scheme !== 'postgresql')
    throw new FleetStoreError('FLEET_STORE_SPEC', `the store ${maskStoreSpec(spec)} is neither a SQLite file nor a postgres:// URL`);
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new FleetStoreError('FLEET_STORE_SPEC', `the store URL ${maskStoreSpec(spec)} is malformed (postgres://USER:PASSWORD@HOST:PORT/DATABASE)`);
  }
  if (!url.hostname) throw new FleetStoreError('FLEET_STORE_SPEC', `the store URL ${maskStoreSpec(spec)} names no host`);
  if (url.pathname.length <= 1) throw new FleetStoreError('FLEET_STORE_SPEC', `the store URL ${maskStoreSpec(spec)} names no database`);
  return { dialect: 'postgres', url: spec };
}

// INTEGER is 64-bit on SQLite; bigint (int8) on PostgreSQL, read back as a number as on SQLite
// (node-postgres reads int8 as a string by default). For this pool only, not pg's global parsers.
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A small pool with timeouts: connecting, waiting for a free client and every statement end, none hangs. */
export function openPostgresStore(url: string, opts: { max?: number } = {}): FleetDb {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 5,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 30_000,
    query_timeout: 35_000,
    keepAlive: true,
    application_name: 'estation-fleet',
    types: pgTypes,
  });
  // An idle client's error (the server restarted) is the next query's to report, not a crash.
  pool.on('error', () => undefined);
  return new Kysely<FleetTables>({ dialect: new PostgresDialect({ pool }) });
}

/** Opens the store a spec names (a SQLite file, or a postgres:// URL); nothing is read until the first query. */
export function openStore(spec: string | StoreSpec): FleetStore {
  const s = typeof spec === 'string' ? parseStoreSpec(spec) : spec;
  return s.dialect === 'postgres'
    ? { db: openPostgresStore(s.url), dialect: 'postgres', label: maskStoreSpec(s.url) }
    : { db: openSqliteStore(s.file), dialect: 'sqlite', label: s.file };
}

/** openStore, then migrateStore; a failure is FLEET_STORE_UNAVAILABLE naming the store (password masked). */
export async function connectStore(spec: string | StoreSpec): Promise<FleetStore> {
  const s = typeof spec === 'string' ? parseStoreSpec(spec) : spec;
  const store = openStore(s);
  try {
    await migrateStore(store.db, store.dialect);
    return store;
  } catch (err) {
    await store.db.destroy().catch(() => undefined);
    let why = String((err as Error)?.message ?? err);
    if (s.dialect === 'postgres') for (const secret of passwordsIn(s.url)) why = why.split(secret).join('***');
    throw new FleetStoreError('FLEET_STORE_UNAVAILABLE', `${store.label}: ${why}`);
  }
}

/** The password as written in the URL and decoded, to scrub from messages that might echo it. */
function passwordsIn(url: string): string[] {
  const u = new URL(url);
  const raw = [u.password, u.searchParams.get('password') ?? ''];
  const decoded = raw.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return [...raw, ...decoded].filter((p) => p.length > 0);
}

/**
 * Column types that mean the same on both databases: SQLite's INTEGER is 64-bit (bigint on
 * PostgreSQL) and its text compares byte by byte (collation "C" on PostgreSQL, whatever the
 * database's locale), so ORDER BY gives the same rows in the same order on both.
 */
export function columnTypes(dialect: StoreDialect) {
  return dialect === 'postgres' ? { text: sql`text collate "C"`, int: 'bigint' as const } : { text: 'text' as const, int: 'integer' as const };
}

/**
 * Creates the tables (the same statements on SQLite and PostgreSQL, with columnTypes; only the
 * autoincrement key differs). `dialect` is the one the store was opened with.
 */
export async function migrateStore(db: FleetDb, dialect: StoreDialect = 'sqlite'): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('terminal')
    .ifNotExists()
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('chain', t.text)
    .addColumn('grp', t.text)
    .addColumn('token_hash', t.text)
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('presence')
    .ifNotExists()
    .addColumn('terminal_id', t.text, (c) => c.primaryKey())
    .addColumn('state', t.text, (c) => c.notNull())
    .addColumn('boot_id', t.text, (c) => c.notNull())
    .addColumn('seq', t.int, (c) => c.notNull())
    .addColumn('at', t.text, (c) => c.notNull())
    .addColumn('received_at', t.text, (c) => c.notNull())
    .addColumn('version', t.text, (c) => c.notNull())
    .addColumn('mode', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('health')
    .ifNotExists()
    .addColumn('id', t.int, (c) => (dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('terminal_id', t.text, (c) => c.notNull())
    .addColumn('received_at', t.text, (c) => c.notNull())
    .addColumn('body', t.text, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('health_by_terminal').ifNotExists().on('health').columns(['terminal_id', 'id']).execute();
  await db.schema
    .createTable('desired')
    .ifNotExists()
    .addColumn('terminal_id', t.text, (c) => c.primaryKey())
    .addColumn('version', t.int, (c) => c.notNull())
    .addColumn('config', t.text, (c) => c.notNull())
    .addColumn('updated_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('reported')
    .ifNotExists()
    .addColumn('terminal_id', t.text, (c) => c.primaryKey())
    .addColumn('version', t.int, (c) => c.notNull())
    .addColumn('state', t.text, (c) => c.notNull())
    .addColumn('body', t.text, (c) => c.notNull())
    .addColumn('received_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('command')
    .ifNotExists()
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('terminal_id', t.text, (c) => c.notNull())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('issued_at', t.text, (c) => c.notNull())
    .addColumn('expires_at', t.text, (c) => c.notNull())
    .addColumn('state', t.text, (c) => c.notNull())
    .addColumn('result', t.text)
    .addColumn('finished_at', t.text)
    .execute();
  await migrateRolloutTables(db, t);
  await migrateFaceShareTables(db, t);
  await sql`SELECT 1`.execute(db);
}

async function migrateRolloutTables(db: FleetDb, t: ReturnType<typeof columnTypes>): Promise<void> {
  await db.schema
    .createTable('release')
    .ifNotExists()
    .addColumn('version', t.text, (c) => c.primaryKey())
    .addColumn('file', t.text, (c) => c.notNull())
    .addColumn('size', t.int, (c) => c.notNull())
    .addColumn('sha256', t.text, (c) => c.notNull())
    .addColumn('signature', t.text, (c) => c.notNull())
    .addColumn('created_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('rollout')
    .ifNotExists()
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('version', t.text, (c) => c.notNull())
    .addColumn('grp', t.text)
    .addColumn('policy', t.text, (c) => c.notNull())
    .addColumn('window_seconds', t.int, (c) => c.notNull())
    .addColumn('state', t.text, (c) => c.notNull())
    .addColumn('aborted', t.int, (c) => c.notNull())
    .addColumn('created_at', t.text, (c) => c.notNull())
    .addColumn('updated_at', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('rollout_report')
    .ifNotExists()
    .addColumn('rollout_id', t.text, (c) => c.notNull())
    .addColumn('terminal_id', t.text, (c) => c.notNull())
    .addColumn('state', t.text, (c) => c.notNull())
    .addColumn('body', t.text, (c) => c.notNull())
    .addColumn('received_at', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('rollout_report_pk', ['rollout_id', 'terminal_id'])
    .execute();
}

async function migrateFaceShareTables(db: FleetDb, t: ReturnType<typeof columnTypes>): Promise<void> {
  await db.schema
    .createTable('face_share')
    .ifNotExists()
    .addColumn('shared_id', t.text, (c) => c.primaryKey())
    .addColumn('chain', t.text, (c) => c.notNull())
    .addColumn('chain_person', t.text, (c) => c.notNull())
    .addColumn('origin', t.text, (c) => c.notNull())
    .addColumn('blob', t.text)
    .addColumn('version', t.int, (c) => c.notNull())
    .addColumn('deleted', t.int, (c) => c.notNull())
    .addColumn('at', t.text, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('face_share_person').ifNotExists().on('face_share').columns(['chain', 'chain_person']).execute();
  await db.schema
    .createTable('face_share_ack')
    .ifNotExists()
    .addColumn('shared_id', t.text, (c) => c.notNull())
    .addColumn('terminal_id', t.text, (c) => c.notNull())
    .addColumn('version', t.int, (c) => c.notNull())
    .addColumn('state', t.text, (c) => c.notNull())
    .addColumn('body', t.text, (c) => c.notNull())
    .addColumn('received_at', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('face_share_ack_pk', ['shared_id', 'terminal_id'])
    .execute();
  await db.schema
    .createTable('face_manifest')
    .ifNotExists()
    .addColumn('chain', t.text, (c) => c.primaryKey())
    .addColumn('version', t.int, (c) => c.notNull())
    .addColumn('updated_at', t.text, (c) => c.notNull())
    .execute();
}
