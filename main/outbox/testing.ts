/**
 * An outbox and its drainer on a real SQLite file, talking to a platform simulator over loopback:
 * for the tests of every module that delivers through the outbox.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import { openDatabase, type Db } from '../store/database';
import { RowMac } from '../store/row-mac';
import { PersonalData } from '../store/personal-data';
import { FileKeyProvider, StaticKeyProvider } from '../face/keys';
import { PlatformClient } from '../platform/client';
import { SqliteMsgids } from '../platform/envelope';
import { makeSigner } from '../platform/signing';
import { TEST_TERMINAL } from '../platform/testing';
import type { TerminalIdentity } from '../platform/envelope';
import { Outbox } from './outbox';
import { Drainer, type DrainerOptions } from './drainer';

export interface OutboxRig {
  db: Db;
  outbox: Outbox;
  personal: PersonalData;
  drainer: Drainer;
  client: PlatformClient;
  terminal: TerminalIdentity;
  clock: Clock;
  close(): Promise<void>;
}

export interface OutboxRigOptions {
  file?: string;
  clock?: Clock;
  drainer?: DrainerOptions;
  keyFile?: string;
  timeoutMs?: number;
  fixmedinsCode?: string;
}

export function tmpDbFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-outbox-')), 'estation.sqlite');
}

export function outboxRig(url: string, opts: OutboxRigOptions = {}): OutboxRig {
  const clock = opts.clock ?? systemClock;
  const db = openDatabase(opts.file ?? tmpDbFile());
  const keys = opts.keyFile ? new FileKeyProvider(opts.keyFile) : new StaticKeyProvider(randomBytes(32));
  const personal = new PersonalData(keys);
  const outbox = new Outbox(db, new RowMac(keys), clock, personal);
  // Each rig is its own institution unless told otherwise, so rigs sharing a simulator never share msgids.
  const terminal = { ...TEST_TERMINAL, fixmedinsCode: opts.fixmedinsCode ?? `P4403${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}` };
  const client = new PlatformClient({
    baseUrl: () => url,
    terminal,
    msgids: new SqliteMsgids(db, terminal.fixmedinsCode),
    signer: makeSigner({ kind: 'none' }),
    timeoutMs: opts.timeoutMs ?? 2000,
    clock,
    log: silentLogger,
  });
  const drainer = new Drainer(outbox, client, clock, silentLogger, {
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    breakerThreshold: 5,
    breakerCooldownMs: 200,
    ...opts.drainer,
  });
  return {
    db,
    outbox,
    personal,
    drainer,
    client,
    terminal,
    clock,
    async close() {
      await drainer.stopAndWait();
      db.close();
    },
  };
}
