/**
 * The cashier's shift. No sale or refund is taken without an open one; closing it makes the
 * report of every sale, refund, offline sale and item needing attention of the shift.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/database';

export interface Totals {
  count: number;
  medfee: number;
  fund: number;
  account: number;
  cash: number;
}

import type { ShiftAudit } from './audit/audit';

export interface ShiftReport {
  shiftId: string;
  cashier: string;
  openedAt: string;
  closedAt: string;
  sales: Totals;
  refunds: Totals;
  net: Totals;
  offline: { count: number; medfee: number };
  attention: { saleId: string; itemId: string; reason: string | null; collect: number | null }[];
  /** 事中审核 of the shift's quotes and sales. */
  audit: ShiftAudit;
  receiptJobId: string | null;
}

export interface Shift {
  shiftId: string;
  cashier: string;
  openedAt: string;
}

export const emptyTotals = (): Totals => ({ count: 0, medfee: 0, fund: 0, account: 0, cash: 0 });

export class ShiftBook {
  constructor(private readonly db: Db) {}

  current(): Shift | null {
    const r = this.db.prepare('SELECT shift_id, cashier, opened_at FROM pharmacy_shift WHERE closed_at IS NULL').get() as
      { shift_id: string; cashier: string; opened_at: string } | undefined;
    return r ? { shiftId: r.shift_id, cashier: r.cashier, openedAt: r.opened_at } : null;
  }

  /** Opens a shift; null when one is open already (the unique index decides, not a race). */
  open(cashier: string, at: string): Shift | null {
    const shiftId = randomUUID();
    try {
      this.db.prepare('INSERT INTO pharmacy_shift(shift_id, cashier, opened_at) VALUES (?, ?, ?)').run(shiftId, cashier, at);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return null;
      throw err;
    }
    return { shiftId, cashier, openedAt: at };
  }

  close(shiftId: string, report: ShiftReport): boolean {
    return (
      this.db
        .prepare('UPDATE pharmacy_shift SET closed_at = ?, report = ? WHERE shift_id = ? AND closed_at IS NULL')
        .run(report.closedAt, JSON.stringify(report), shiftId).changes === 1
    );
  }

  lastReport(): ShiftReport | null {
    const r = this.db.prepare('SELECT report FROM pharmacy_shift WHERE closed_at IS NOT NULL ORDER BY closed_at DESC LIMIT 1').get() as
      { report: string } | undefined;
    return r ? (JSON.parse(r.report) as ShiftReport) : null;
  }
}
