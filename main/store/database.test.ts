import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, StoreError } from './database';
import { migrations } from './migrations';

const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-db-')), 'estation.sqlite');

describe('the terminal database', () => {
  it('opens a real file in WAL mode with synchronous=FULL and applies migrations once', () => {
    const file = tmp();
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(schemaVersion(db)).toBe(Math.max(...migrations.map((m) => m.version)));
    db.close();
    const again = openDatabase(file);
    expect((again.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(migrations.length);
    again.close();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('refuses a database written by a newer build', () => {
    const file = tmp();
    openDatabase(file).close();
    expect(() => openDatabase(file, { migrations: migrations.slice(0, 1) })).toThrow(StoreError);
  });

  it('rolls back a failed migration and names it', () => {
    const file = tmp();
    const bad = [...migrations, { version: 999, name: 'broken', sql: 'CREATE TABLE t(a INT) STRICT; INSERT INTO nope VALUES (1);' }];
    expect(() => openDatabase(file, { migrations: bad })).toThrow(/migration 999 \(broken\)/);
    const db = openDatabase(file);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get()).toBeUndefined();
    db.close();
  });

  it('refuses a file that is not a database', () => {
    const file = tmp();
    fs.writeFileSync(file, 'this is not sqlite'.repeat(300));
    expect(() => openDatabase(file)).toThrow();
  });
});
