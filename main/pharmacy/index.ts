/**
 * The pharmacy counter as one module: its tables, its counter and pricing, its bridge handlers,
 * its receipts and the delivery of its outbox kinds. The composition root builds it only on a
 * terminal in checkout mode (the delivery handlers are registered on every terminal, so a queue
 * left by an earlier mode still drains).
 */
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import type { Db } from '../store/database';
import { migrateModule } from '../store/database';
import type { PersonalData } from '../store/personal-data';
import type { Drainer } from '../outbox/drainer';
import type { Outbox, OutboxItem } from '../outbox/outbox';
import type { PlatformClient } from '../platform/client';
import type { DrugCatalogue } from '../policy/catalogue';
import type { RegionPolicy } from '../policy/types';
import type { ResidentSession } from '../session/session';
import { CheckoutService } from './checkout';
import type { CounterConfig, OfflineConfig } from './config';
import { CheckoutCounter, type ReceiptSink } from './counter';
import { refundDelivery, settlementDelivery } from './delivery';
import { auditFeedbackDelivery } from './audit/audit';
import { pharmacyHandlers, type ShiftStatus } from './handlers';
import { pharmacyMigrations } from './migrations';
import { Reconciler } from './reconcile';

export interface PharmacyDeps {
  db: Db;
  /** Seals customers, baskets and cached person data at rest. */
  personal: PersonalData;
  session: ResidentSession;
  client: PlatformClient;
  outbox: Outbox;
  drainer: Drainer;
  catalogue: DrugCatalogue;
  policies: RegionPolicy[];
  counter: CounterConfig;
  offline: OfflineConfig;
  terminal: { id: string; name: string; institutionName: string; institutionCode: string; admdvs: string };
  receiptPrinter: () => ReceiptSink | null;
  /** Whether the platform can be reached now (health monitor and breaker): offline quotes otherwise. */
  online: () => boolean;
  clock: Clock;
  log: Logger;
  /**
   * Face payment: subscribes to payers found before their challenge ends (FaceService), so their
   * 1101 runs during the challenge. Absent where face is off.
   */
  /** Told when the shift opens or closes, so every page of the counter shows it. */
  onShiftChanged?: (s: ShiftStatus) => void;
  onProvisionalPayer?: (listener: (p: { person: { certType: '01' | '02' | '03'; certNo: string } }) => void) => unknown;
}

export interface PharmacyModule {
  counter: CheckoutCounter;
  checkout: CheckoutService;
  reconciler: Reconciler;
  handlers: ReturnType<typeof pharmacyHandlers>;
  /** A scanned code: true when it was a drug of the catalogue (it goes to the basket). */
  drugForBarcode(code: string): string | null;
}

/** The counter's outbox kinds, for every terminal's drainer; `changed` moves sales on when a counter exists. */
export function registerPharmacyDeliveries(
  drainer: Drainer,
  clock: Clock,
  changed: (item: OutboxItem) => void = () => undefined,
  beforeOffline: (item: OutboxItem) => Promise<void> = async () => undefined,
): void {
  drainer.register(settlementDelivery(clock, changed, beforeOffline));
  drainer.register(refundDelivery(clock, changed));
  drainer.register(auditFeedbackDelivery());
}

export function createPharmacy(d: PharmacyDeps): PharmacyModule {
  migrateModule(d.db, 'pharmacy', pharmacyMigrations);
  const checkout = new CheckoutService(
    d.outbox,
    d.personal,
    d.client,
    d.policies,
    d.offline,
    d.terminal.admdvs,
    d.clock,
    d.log.child({ component: 'checkout' }),
    d.online,
  );
  const counter = new CheckoutCounter(
    d.db,
    d.personal,
    d.session,
    d.client,
    checkout,
    d.outbox,
    d.drainer,
    d.receiptPrinter,
    d.catalogue,
    { ...d.counter, maxOfflinePerSale: d.offline.maxPerTransaction },
    d.terminal,
    d.clock,
    d.log.child({ component: 'counter' }),
    d.online,
  );
  d.onProvisionalPayer?.((p) => counter.prefetch(p.person));
  const reconciler = new Reconciler(d.outbox, d.client, d.terminal.institutionCode, d.clock, d.log.child({ component: 'reconcile' }));
  return {
    counter,
    checkout,
    reconciler,
    handlers: pharmacyHandlers(counter, d.session, d.drainer, d.onShiftChanged),
    drugForBarcode: (code) => counter.drugForBarcode(code)?.hilistCode ?? null,
  };
}
