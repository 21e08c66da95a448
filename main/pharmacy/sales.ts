/**
 * The sale as a state machine, persisted in pharmacy_sale:
 *
 *   quoted ──pay──> paying ──> settled | pending-offline | unknown | needs-attention | failed
 *     │                          pending-offline, unknown ──> settled | needs-attention
 *     └──> expired (time), superseded (a newer quote, another customer)
 *   settled ──refund──> refunding ──> refunded (or back to settled when the platform refuses)
 *
 * A sale's id is its quote's id. Paying writes the outbox item and moves the sale to 'paying' in
 * one SQLite transaction that first checks the state, so a second pay of the same quote — at any
 * time, from any page — finds the sale and never enqueues a second settlement.
 */
import type { Db } from '../store/database';
import type { PersonalData } from '../store/personal-data';
import type { Fen } from '../bridge/contract/money';
import type { OutboxItem, OutboxState } from '../outbox/outbox';
import type { Prescription, SettlementLine, SplitSummary } from './settlement';

export type SaleState =
  'quoted' | 'paying' | 'settled' | 'pending-offline' | 'unknown' | 'needs-attention' | 'failed' | 'refunding' | 'refunded' | 'expired' | 'superseded';

export interface SaleCustomer {
  psnNo: string;
  name: string;
  certType: '01' | '02' | '03';
  certNo: string;
  insutype: '310' | '390';
  admdvs: string;
  provenBy: string;
  /** From 1101 (or the ID number offline), for the audit's sex and age rules; absent on sales made before. */
  sex?: '1' | '2' | null;
  birthDate?: string | null;
  /** 家庭共济: whose account pays, as proven at the counter; the owner confirmed the amount before the pay. */
  mutualAid?: { psnNo: string; name: string; certType: '01' | '02' | '03'; certNo: string } | null;
}

export interface Sale {
  saleId: string;
  shiftId: string;
  state: SaleState;
  customer: SaleCustomer;
  lines: SettlementLine[];
  prescription: Prescription | null;
  useAccount: boolean;
  mode: 'online' | 'offline';
  quote: SplitSummary;
  total: Fen;
  cashCollected: Fen | null;
  itemId: string | null;
  quotedAt: string;
  expiresAt: number;
  cashierConfirmedAt: string | null;
  customerConfirmed: { by: string; at: string } | null;
  receiptPrinted: boolean;
  businessDate: string;
}

interface Row {
  sale_id: string;
  shift_id: string;
  state: SaleState;
  psn_key: string;
  customer: string;
  basket: string;
  use_account: number;
  mode: 'online' | 'offline';
  quote: string;
  total: number;
  cash_collected: number | null;
  item_id: string | null;
  quoted_at: string;
  expires_at: number;
  cashier_confirmed_at: string | null;
  customer_confirmed: string | null;
  receipt_printed: number;
  business_date: string;
}

function toSale(r: Row, personal: PersonalData): Sale {
  const basket = personal.openJson<{ lines: SettlementLine[]; prescription: Prescription | null }>(r.basket);
  return {
    saleId: r.sale_id,
    shiftId: r.shift_id,
    state: r.state,
    customer: personal.openJson<SaleCustomer>(r.customer),
    lines: basket.lines,
    prescription: basket.prescription,
    useAccount: r.use_account === 1,
    mode: r.mode,
    quote: JSON.parse(r.quote) as SplitSummary,
    total: r.total as Fen,
    cashCollected: r.cash_collected as Fen | null,
    itemId: r.item_id,
    quotedAt: r.quoted_at,
    expiresAt: r.expires_at,
    cashierConfirmedAt: r.cashier_confirmed_at,
    customerConfirmed: r.customer_confirmed ? (JSON.parse(r.customer_confirmed) as { by: string; at: string }) : null,
    receiptPrinted: r.receipt_printed === 1,
    businessDate: r.business_date,
  };
}

/** The sale state an outbox settlement item stands for. */
export function saleStateOf(item: Pick<OutboxItem, 'state' | 'attempts'>, mode: 'online' | 'offline'): SaleState {
  const map: Record<OutboxState, SaleState> = {
    pending: mode === 'offline' || item.attempts > 0 ? 'pending-offline' : 'paying',
    sending: mode === 'offline' ? 'pending-offline' : 'paying',
    reversed: 'pending-offline',
    unknown: 'unknown',
    done: 'settled',
    'failed-business': 'failed',
    'needs-attention': 'needs-attention',
  };
  return map[item.state];
}

/** The customer and the basket (who bought which medicine) are personal data: sealed at rest. */
export class SaleBook {
  private readonly toSale = (r: Row) => toSale(r, this.personal);

  constructor(
    private readonly db: Db,
    private readonly personal: PersonalData,
  ) {}

  insertQuote(s: Omit<Sale, 'state' | 'cashCollected' | 'itemId' | 'cashierConfirmedAt' | 'customerConfirmed' | 'receiptPrinted'>, now: string): void {
    this.db
      .prepare(
        `INSERT INTO pharmacy_sale(sale_id, shift_id, state, psn_key, customer, basket, use_account, mode, quote, total, quoted_at, expires_at, business_date, updated_at)
         VALUES (?, ?, 'quoted', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        s.saleId,
        s.shiftId,
        s.customer.psnNo,
        this.personal.sealJson(s.customer),
        this.personal.sealJson({ lines: s.lines, prescription: s.prescription }),
        s.useAccount ? 1 : 0,
        s.mode,
        JSON.stringify(s.quote),
        s.total,
        s.quotedAt,
        s.expiresAt,
        s.businessDate,
        now,
      );
  }

  find(saleId: string): Sale | null {
    const r = this.db.prepare('SELECT * FROM pharmacy_sale WHERE sale_id = ?').get(saleId) as Row | undefined;
    return r ? this.toSale(r) : null;
  }

  byItem(itemId: string): Sale | null {
    const r = this.db.prepare('SELECT * FROM pharmacy_sale WHERE item_id = ?').get(itemId) as Row | undefined;
    return r ? this.toSale(r) : null;
  }

  setState(saleId: string, state: SaleState, now: string): void {
    this.db.prepare('UPDATE pharmacy_sale SET state = ?, updated_at = ? WHERE sale_id = ?').run(state, now, saleId);
  }

  /** quoted -> paying, with the item and both confirmations, only if the sale is still quoted. */
  markPaying(
    saleId: string,
    change: { itemId: string; cashCollected: Fen; cashierConfirmedAt: string; customerConfirmed: { by: string; at: string } },
    now: string,
  ): boolean {
    const r = this.db
      .prepare(
        "UPDATE pharmacy_sale SET state = 'paying', item_id = ?, cash_collected = ?, cashier_confirmed_at = ?, customer_confirmed = ?, updated_at = ? WHERE sale_id = ? AND state = 'quoted'",
      )
      .run(change.itemId, change.cashCollected, change.cashierConfirmedAt, JSON.stringify(change.customerConfirmed), now, saleId);
    return r.changes === 1;
  }

  /** Open quotes of a customer (or all) are superseded: only the newest quote can be paid. */
  supersedeQuotes(now: string, psnNo?: string): number {
    const sql = `UPDATE pharmacy_sale SET state = 'superseded', updated_at = ? WHERE state = 'quoted'${psnNo ? ' AND psn_key = ?' : ''}`;
    return (psnNo ? this.db.prepare(sql).run(now, psnNo) : this.db.prepare(sql).run(now)).changes;
  }

  /** Claims the right to print the sale's receipt: true once per sale, whoever asks. */
  claimReceipt(saleId: string): boolean {
    return this.db.prepare('UPDATE pharmacy_sale SET receipt_printed = 1 WHERE sale_id = ? AND receipt_printed = 0').run(saleId).changes === 1;
  }

  /** Offline sales of one person on one business day, in fen (for the per-person offline limit). */
  /** What this terminal sold a person since a day (sales that went to the platform or wait for it), for the audit's repeat rule. */
  purchasesOf(psnNo: string | null, since: string): { date: string; lines: { listCode: string; packs: number; traceCodes: string[] }[] }[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM pharmacy_sale WHERE ${psnNo === null ? '' : 'psn_key = ? AND '}business_date >= ? AND item_id IS NOT NULL AND state NOT IN ('failed', 'refunded', 'expired', 'superseded')`,
      )
      .all(...(psnNo === null ? [since] : [psnNo, since])) as Row[];
    return rows.map(this.toSale).map((s) => ({
      date: s.businessDate,
      lines: s.lines.map((l) => ({ listCode: l.listCode, packs: l.quantityMilli / 1000, traceCodes: l.traceCodes ?? [] })),
    }));
  }

  /** The quotes still payable, of one person or of everyone. */
  openQuotes(psnNo?: string): Sale[] {
    const sql = `SELECT * FROM pharmacy_sale WHERE state = 'quoted'${psnNo ? ' AND psn_key = ?' : ''}`;
    return (this.db.prepare(sql).all(...(psnNo ? [psnNo] : [])) as Row[]).map(this.toSale);
  }

  offlineTotal(psnNo: string, businessDate: string): number {
    return (
      this.db
        .prepare("SELECT COALESCE(SUM(total), 0) AS t FROM pharmacy_sale WHERE psn_key = ? AND business_date = ? AND mode = 'offline' AND item_id IS NOT NULL")
        .get(psnNo, businessDate) as { t: number }
    ).t;
  }

  ofShift(shiftId: string): Sale[] {
    return (this.db.prepare('SELECT * FROM pharmacy_sale WHERE shift_id = ? AND item_id IS NOT NULL ORDER BY quoted_at').all(shiftId) as Row[]).map(
      this.toSale,
    );
  }

  ofDay(businessDate: string): Sale[] {
    return (this.db.prepare('SELECT * FROM pharmacy_sale WHERE business_date = ? AND item_id IS NOT NULL ORDER BY quoted_at').all(businessDate) as Row[]).map(
      this.toSale,
    );
  }

  withItems(): Sale[] {
    return (this.db.prepare('SELECT * FROM pharmacy_sale WHERE item_id IS NOT NULL').all() as Row[]).map(this.toSale);
  }
}
