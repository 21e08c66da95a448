/**
 * An outbox, drainer and checkout on a real SQLite file against a simulator, for tests, the
 * crash worker and the benchmark.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../store/database';
import { outboxRig, type OutboxRigOptions } from '../../outbox/testing';
import { silentLogger } from '../../ground/logger';
import type { PlatformClient } from '../../platform/client';
import { POLICIES } from '../../policy/policies';
import type { Outbox, OutboxItem } from '../../outbox/outbox';
import type { Drainer } from '../../outbox/drainer';
import { ResidentSession } from '../../session/session';
import { DrugCatalogue } from '../../policy/catalogue';
import type { CheckoutService, Quote } from '../checkout';
import type { Reconciler } from '../reconcile';
import { counterConfigSchema, offlineConfigSchema, type CounterConfig, type OfflineConfig } from '../config';
import { createPharmacy, registerPharmacyDeliveries, type PharmacyModule } from '..';
import { SETTLEMENT_KIND } from '../delivery';
import { fen } from '../../bridge/contract/money';
import { CATALOGUE } from '../../../fixtures/platform/catalogue';
import type { SeedPerson } from '../../../fixtures/people/residents';
import { type SettlementLine, type SettlementPayload, type SettlementPerson, type SettlementResult } from '../settlement';

export interface Rig {
  db: Db;
  outbox: Outbox;
  drainer: Drainer;
  checkout: CheckoutService;
  reconciler: Reconciler;
  client: PlatformClient;
  /** The whole counter (sale state machine, shift, refunds) with a real session. */
  pharmacy: PharmacyModule;
  session: ResidentSession;
  /** Receipts the counter printed, by job id. */
  printed: Map<string, Buffer>;
  /** Puts a resident in front of the counter (as a card read would). */
  customer(p: SeedPerson): void;
  /** Delivery level: enqueues one settlement of these lines as quoted, and waits for it like the counter. */
  settle(person: SettlementPerson, lines: SettlementLine[], useAccount: boolean, quote: Quote): Promise<OutboxItem<SettlementPayload, SettlementResult>>;
  setOnline(v: boolean): void;
  close(): Promise<void>;
}

export interface RigOptions extends OutboxRigOptions {
  offline?: Partial<OfflineConfig>;
  counter?: Partial<CounterConfig>;
}

export function rig(url: string, opts: RigOptions = {}): Rig {
  const base = outboxRig(url, opts);
  const { db, outbox, drainer, client, terminal, clock, personal } = base;
  let online = true;
  const session = new ResidentSession(clock, silentLogger, 600_000);
  const printed = new Map<string, Buffer>();
  let pharmacy: PharmacyModule | null = null;
  registerPharmacyDeliveries(
    drainer,
    clock,
    (item) => pharmacy?.counter.itemChanged(item),
    async (item) => pharmacy?.counter.reauditBeforeDelivery(item),
  );
  pharmacy = createPharmacy({
    db,
    personal,
    session,
    client,
    outbox,
    drainer,
    catalogue: new DrugCatalogue(CATALOGUE),
    policies: POLICIES,
    counter: counterConfigSchema.parse(opts.counter ?? {}),
    offline: offlineConfigSchema.parse(opts.offline ?? {}),
    terminal: {
      id: terminal.opter,
      name: terminal.opterName,
      institutionName: terminal.fixmedinsName,
      institutionCode: terminal.fixmedinsCode,
      admdvs: '440300',
    },
    receiptPrinter: () => ({ print: (id: string, bytes: Buffer) => void printed.set(id, bytes) }),
    online: () => online && drainer.breakerState !== 'open',
    clock,
    log: silentLogger,
  });
  const { checkout, reconciler } = pharmacy;
  return {
    db,
    outbox,
    drainer,
    checkout,
    reconciler,
    client,
    pharmacy,
    session,
    printed,
    customer: (p) =>
      session.begin({
        certType: '02',
        certNo: p.idNumber,
        cardSn: null,
        idNumber: p.idNumber,
        name: p.name,
        provenBy: 'id-card',
        cardKind: 'resident',
        at: clock.nowIso(),
      }),
    async settle(person, lines, useAccount, quote) {
      const payload = checkout.payload(randomUUID(), person, lines, useAccount, quote, quote.mode === 'offline');
      const item = outbox.enqueue(SETTLEMENT_KIND, person.psnNo, payload);
      if (quote.mode === 'offline') return item as OutboxItem<SettlementPayload, SettlementResult>;
      return drainer.settleNow<SettlementPayload, SettlementResult>(item.itemId);
    },
    setOnline: (v) => void (online = v),
    async close() {
      session.end('shutdown', false);
      await base.close();
    },
  };
}

export function personOf(p: SeedPerson): SettlementPerson {
  return { psnNo: p.psnNo, certType: '02', certNo: p.idNumber, insutype: p.insutype, insuplcAdmdvs: p.insuplcAdmdvs };
}

export function basket(...items: [number, number][]): SettlementLine[] {
  return items.map(([i, qty], k) => ({
    feedetlSn: String(k + 1),
    listCode: CATALOGUE[i]!.hilistCode,
    name: CATALOGUE[i]!.name,
    unitPrice: fen(CATALOGUE[i]!.price),
    quantityMilli: qty * 1000,
  }));
}

/** Basket items for the counter: [catalogue index, packs]. */
export function items(...list: [number, number][]): { listCode: string; quantity: number }[] {
  return list.map(([i, quantity]) => ({ listCode: CATALOGUE[i]!.hilistCode, quantity }));
}

/**
 * The counter's way: the customer at the counter, a quote, and its payment confirmed by both. A
 * 事中审核 warning (a repeat purchase in a long test day) is answered as a cashier would, with a
 * reason; a blocking one is left to stop the sale.
 */
export async function sell(r: Rig, p: SeedPerson, basketItems: { listCode: string; quantity: number; traceCodes?: string[] }[], useAccount = true) {
  if (!r.pharmacy.counter.shiftStatus().open) r.pharmacy.counter.openShift('收银员01');
  if (r.session.current?.idNumber !== p.idNumber) r.customer(p);
  const q = await r.pharmacy.counter.quote(
    basketItems,
    useAccount,
    basketItems.some((i) => CATALOGUE.find((d) => d.hilistCode === i.listCode)?.prescription) ? TEST_RX : undefined,
  );
  const open = q.audit.warnings.filter((w) => w.severity === 'warn' && w.disposition !== 'continue');
  if (open.length && !q.audit.blocked)
    r.pharmacy.counter.auditOverride(
      q.quoteId,
      open.map((w) => ({ warningId: w.warningId, reason: '顾客按医嘱长期服药，核对处方后继续' })),
    );
  const sale = await r.pharmacy.counter.pay(q.quoteId, { cashierConfirmed: true, customerConfirmed: true });
  return { quote: q, sale };
}

export const TEST_RX = { rxno: 'RX20261202001', doctorCode: 'D440300001', doctorName: '李医生', external: true };
