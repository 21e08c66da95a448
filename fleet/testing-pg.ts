/**
 * Test support for running the fleet store's tests on both databases (issue 19 item 8).
 *
 * SQLite always runs. PostgreSQL runs when ESTATION_TEST_PG names a database on 127.0.0.1 that the
 * tests may fill (`.ci/run` starts Debian's cluster and sets it). Each store a test opens is fresh:
 * a new SQLite file, or a new schema `t_<random>` in that database, selected through the
 * connection's search_path and dropped afterwards, so parallel test files never share tables.
 * Without ESTATION_TEST_PG the PostgreSQL variants are skipped, and their titles say why.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { connectStore, type FleetStore, type StoreDialect } from './store';

/** ESTATION_TEST_PG, or null when it is not set. */
export const TEST_PG = process.env.ESTATION_TEST_PG || null;

export const PG_SKIPPED = '[PostgreSQL: skipped, ESTATION_TEST_PG not set]';

export interface StoreKind {
  dialect: StoreDialect;
  /** For titles: "SQLite", "PostgreSQL", or "PostgreSQL [PostgreSQL: skipped, …]" when it cannot run. */
  name: string;
  skip: boolean;
}

/** Both stores, for `describe.each(STORES)('$name', …)` with `describe.skipIf(kind.skip)`. */
export const STORES: StoreKind[] = [
  { dialect: 'sqlite', name: 'SQLite', skip: false },
  { dialect: 'postgres', name: TEST_PG ? 'PostgreSQL' : `PostgreSQL ${PG_SKIPPED}`, skip: !TEST_PG },
];

/** ESTATION_TEST_PG, checked to be on this machine: tests reach nothing but 127.0.0.1. */
export function testPgUrl(): URL {
  if (!TEST_PG) throw new Error('ESTATION_TEST_PG is not set');
  const url = new URL(TEST_PG);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    throw new Error(`ESTATION_TEST_PG must name a database on 127.0.0.1 (tests reach nothing else), not ${url.hostname}`);
  return url;
}

/** A plain pg client on the test database (no Kysely, no store code): to see what really is in PostgreSQL. */
export async function withPg<T>(fn: (client: pg.Client) => Promise<T>, schema?: string): Promise<T> {
  const url = testPgUrl();
  if (schema) url.searchParams.set('options', `-c search_path=${schema}`);
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000, query_timeout: 30_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestStore extends FleetStore {
  /** What openStore was given: the SQLite file, or the URL selecting this store's schema. */
  spec: string;
  /** The PostgreSQL schema (null on SQLite). */
  schema: string | null;
  /** Drops the PostgreSQL schema; call after the store (its FleetServer) is closed. Nothing on SQLite (the caller removes its directory). */
  dispose(): Promise<void>;
}

/** A fresh spec: a new SQLite file in `dir`, or a new empty schema in ESTATION_TEST_PG. */
export async function freshStoreSpec(kind: StoreKind, dir: string): Promise<{ spec: string; schema: string | null; dispose(): Promise<void> }> {
  const tag = randomBytes(6).toString('hex');
  if (kind.dialect === 'sqlite') return { spec: path.join(dir, `fleet-${tag}.sqlite`), schema: null, dispose: async () => undefined };
  const schema = `t_${tag}`;
  await withPg((c) => c.query(`CREATE SCHEMA ${schema}`));
  const url = testPgUrl();
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { spec: url.toString(), schema, dispose: () => withPg((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined) };
}

/** A fresh store of `kind`, opened and migrated. */
export async function openTestStore(kind: StoreKind, dir: string): Promise<TestStore> {
  const fresh = await freshStoreSpec(kind, dir);
  try {
    return { ...(await connectStore(fresh.spec)), ...fresh };
  } catch (err) {
    await fresh.dispose();
    throw err;
  }
}
