/**
 * An outbox, drainer and checkout on a real SQLite file against a simulator, for tests, the
 * crash worker and the benchmark.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../ground/clock';
import { silentLogger } from '../../ground/logger';
import { openDatabase, type Db } from '../../store/database';
import { RowMac } from '../../store/row-mac';
import { FileKeyProvider, StaticKeyProvider } from '../../face/keys';
import { PlatformClient } from '../../platform/client';
import { SqliteMsgids } from '../../platform/envelope';
import { makeSigner } from '../../platform/signing';
import { POLICIES } from '../../policy/policies';
import { TEST_TERMINAL } from '../../platform/testing';
import { Outbox } from '../../outbox/outbox';
import { Drainer, type DrainerOptions } from '../../outbox/drainer';
import { CheckoutService } from '../checkout';
import { Reconciler } from '../reconcile';
import { offlineConfigSchema, type OfflineConfig } from '../../outbox/config';
import { fen } from '../../bridge/contract/money';
import { CATALOGUE } from '../../../fixtures/platform/catalogue';
import type { SeedPerson } from '../../../fixtures/people/residents';
import type { SettlementLine, SettlementPerson } from '../settlement';

export interface Rig {
  db: Db;
  outbox: Outbox;
  drainer: Drainer;
  checkout: CheckoutService;
  reconciler: Reconciler;
  client: PlatformClient;
  setOnline(v: boolean): void;
  close(): Promise<void>;
}

export function tmpDbFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-outbox-')), 'estation.sqlite');
}

export function rig(url: string, opts: { file?: string; clock?: Clock; drainer?: DrainerOptions; offline?: Partial<OfflineConfig>; keyFile?: string; timeoutMs?: number; fixmedinsCode?: string } = {}): Rig {
  const clock = opts.clock ?? systemClock;
  const db = openDatabase(opts.file ?? tmpDbFile());
  const keys = opts.keyFile ? new FileKeyProvider(opts.keyFile) : new StaticKeyProvider(randomBytes(32));
  const outbox = new Outbox(db, new RowMac(keys), clock);
  // Each rig is its own pharmacy unless told otherwise, so rigs sharing a simulator never share msgids.
  const terminal = { ...TEST_TERMINAL, fixmedinsCode: opts.fixmedinsCode ?? `P4403${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}` };
  const client = new PlatformClient({ baseUrl: () => url, terminal, msgids: new SqliteMsgids(db, terminal.fixmedinsCode), signer: makeSigner({ kind: 'none' }), timeoutMs: opts.timeoutMs ?? 2000, clock, log: silentLogger });
  const drainer = new Drainer(outbox, client, clock, silentLogger, { backoffBaseMs: 20, backoffMaxMs: 200, breakerThreshold: 5, breakerCooldownMs: 200, ...opts.drainer });
  let online = true;
  const checkout = new CheckoutService(outbox, drainer, client, POLICIES, offlineConfigSchema.parse(opts.offline ?? {}), '440300', clock, silentLogger, () => online && drainer.breakerState !== 'open');
  const reconciler = new Reconciler(outbox, client, terminal.fixmedinsCode, clock, silentLogger);
  return {
    db,
    outbox,
    drainer,
    checkout,
    reconciler,
    client,
    setOnline: (v) => void (online = v),
    async close() {
      await drainer.stopAndWait();
      db.close();
    },
  };
}

export function personOf(p: SeedPerson): SettlementPerson {
  return { psnNo: p.psnNo, certType: '02', certNo: p.idNumber, insutype: p.insutype, insuplcAdmdvs: p.insuplcAdmdvs };
}

export function basket(...items: [number, number][]): SettlementLine[] {
  return items.map(([i, qty], k) => ({ feedetlSn: String(k + 1), listCode: CATALOGUE[i]!.hilistCode, name: CATALOGUE[i]!.name, unitPrice: fen(CATALOGUE[i]!.price), quantityMilli: qty * 1000 }));
}
