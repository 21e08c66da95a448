/**
 * Refunds (2103) of settled sales: the reason from a fixed list, the cashier's confirmation,
 * recorded in pharmacy_refund in the same transaction as the outbox item.
 */
import { refundReasons, type RefundReason } from '../bridge/contract';
import type { Db } from '../store/database';

export type { RefundReason };

/** What the receipt and the shift report print for each reason. */
const NAMES: Record<RefundReason, string> = {
  'customer-return': '顾客退药',
  'wrong-item': '药品录入错误',
  'wrong-quantity': '数量录入错误',
  'wrong-person': '参保人身份错误',
  'duplicate-charge': '重复收费',
  'price-error': '价格错误',
};

export function refundReasonName(r: RefundReason): string {
  return NAMES[r];
}

export const REFUND_REASONS: readonly RefundReason[] = refundReasons;

export interface Refund {
  refundId: string;
  saleId: string;
  shiftId: string;
  reason: RefundReason;
  note: string | null;
  itemId: string;
  cashierConfirmedAt: string;
  createdAt: string;
}

interface Row {
  refund_id: string;
  sale_id: string;
  shift_id: string;
  reason: RefundReason;
  note: string | null;
  item_id: string;
  cashier_confirmed_at: string;
  created_at: string;
}

const toRefund = (r: Row): Refund => ({
  refundId: r.refund_id,
  saleId: r.sale_id,
  shiftId: r.shift_id,
  reason: r.reason,
  note: r.note,
  itemId: r.item_id,
  cashierConfirmedAt: r.cashier_confirmed_at,
  createdAt: r.created_at,
});

export class RefundBook {
  constructor(private readonly db: Db) {}

  insert(r: Refund): void {
    this.db
      .prepare(
        'INSERT INTO pharmacy_refund(refund_id, sale_id, shift_id, reason, note, item_id, cashier_confirmed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(r.refundId, r.saleId, r.shiftId, r.reason, r.note, r.itemId, r.cashierConfirmedAt, r.createdAt);
  }

  ofSale(saleId: string): Refund[] {
    return (this.db.prepare('SELECT * FROM pharmacy_refund WHERE sale_id = ? ORDER BY created_at').all(saleId) as Row[]).map(toRefund);
  }

  byItem(itemId: string): Refund | null {
    const r = this.db.prepare('SELECT * FROM pharmacy_refund WHERE item_id = ?').get(itemId) as Row | undefined;
    return r ? toRefund(r) : null;
  }

  ofShift(shiftId: string): Refund[] {
    return (this.db.prepare('SELECT * FROM pharmacy_refund WHERE shift_id = ? ORDER BY created_at').all(shiftId) as Row[]).map(toRefund);
  }

  claimReceipt(refundId: string): boolean {
    return this.db.prepare('UPDATE pharmacy_refund SET receipt_printed = 1 WHERE refund_id = ? AND receipt_printed = 0').run(refundId).changes === 1;
  }
}
