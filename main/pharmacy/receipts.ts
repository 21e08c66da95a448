/**
 * The counter's paper: the sale receipt (settled, or pending settlement 先就医后结算), the refund
 * (reversal) receipt and the shift report. Money through the one formatter; names masked.
 */
import { formatMoney as m } from '../bridge/contract/money';
import { maskName } from '../bridge/contract/mask';
import { FUND_TIER_KEYS } from '../bridge/contract/contract';
import { infTime } from '../platform/envelope';
import { ReceiptBuilder } from '../../drivers/printer/encoder';
import type { Sale } from './sales';
import { tiersOfSummary, type SplitSummary } from './settlement';
import type { ShiftReport } from './shift';
import { refundReasonName, type RefundReason } from './refunds';

export function saleReceipt(sale: Sale, split: SplitSummary, setlId: string | null, institutionName: string, at: number): Buffer {
  const pending = !setlId;
  const r = new ReceiptBuilder()
    .init()
    .chinese()
    .align('center')
    .size(2, 2)
    .line(pending ? '医保购药单（待结算）' : '医保购药结算单')
    .size(1, 1)
    .line(institutionName)
    .align('left')
    .rule();
  r.pair('参保人', maskName(sale.customer.name)).pair('时间', infTime(at)).pair('单号', sale.saleId.slice(0, 8)).rule();
  for (const l of sale.lines) r.pair(`${l.name} ×${l.quantityMilli / 1000}`, m(Math.round((l.unitPrice * l.quantityMilli) / 1000)));
  const rx = sale.prescription;
  if (rx) r.line(`处方号 ${rx.rxno}${rx.external ? '（外购处方）' : ''}`).line(`开方医师 ${rx.doctorName}`);
  r.rule().pair('医疗费总额', m(split.medfee)).pair('医保基金支付', m(split.fund));
  // 一站式: the fund's tiers under it, then the account (with 共济) and cash; together the total.
  const tiers = tiersOfSummary(split);
  for (const t of tiers) if (FUND_TIER_KEYS.includes(t.key)) r.pair(`  ${t.label}`, m(t.amount));
  r.pair('个人账户支付', m(split.acct));
  if (split.mulaid) r.pair(`共济支付${sale.customer.mutualAid ? `（${maskName(sale.customer.mutualAid.name)}账户）` : ''}`, m(split.mulaid));
  r.pair('现金支付', m(sale.cashCollected ?? split.cash));
  if (pending) r.rule().line('先就医后结算：本单待与医保平台结算').line('结算后如有差额，药店将与您联系');
  r.align('center')
    .qr(setlId ? `SETL:${setlId}` : `PENDING:${sale.saleId}`)
    .line(setlId ? `结算号 ${setlId}` : '待结算')
    .cut();
  return r.bytes();
}

export function refundReceipt(sale: Sale, original: SplitSummary, origSetlId: string, refundSetlId: string, reason: RefundReason, at: number): Buffer {
  return new ReceiptBuilder()
    .init()
    .chinese()
    .align('center')
    .size(2, 2)
    .line('医保结算撤销单')
    .size(1, 1)
    .align('left')
    .rule()
    .pair('参保人', maskName(sale.customer.name))
    .pair('原结算号', origSetlId)
    .pair('撤销结算号', refundSetlId)
    .pair('撤销原因', refundReasonName(reason))
    .pair('退还医疗费', m(original.medfee))
    .pair('退回统筹基金', m(original.fund))
    .pair('退回个人账户', m(original.acct + original.mulaid))
    .pair('退还现金', m(original.cash))
    .pair('时间', infTime(at))
    .align('center')
    .qr(`REFUND:${refundSetlId}`)
    .cut()
    .bytes();
}

export function shiftReceipt(report: ShiftReport): Buffer {
  const r = new ReceiptBuilder().init().chinese().align('center').size(2, 2).line('交班报表').size(1, 1).align('left').rule();
  r.pair('收银员', report.cashier)
    .pair('开班', infTime(Date.parse(report.openedAt)))
    .pair('交班', infTime(Date.parse(report.closedAt)))
    .rule();
  r.pair('结算笔数', String(report.sales.count))
    .pair('  其中离线', String(report.offline.count))
    .pair('医疗费合计', m(report.sales.medfee))
    .pair('基金支付', m(report.sales.fund))
    .pair('个人账户', m(report.sales.account))
    .pair('现金', m(report.sales.cash));
  r.rule()
    .pair('退费笔数', String(report.refunds.count))
    .pair('退还医疗费', m(report.refunds.medfee))
    .pair('退回基金', m(report.refunds.fund))
    .pair('退回个人账户', m(report.refunds.account))
    .pair('退还现金', m(report.refunds.cash));
  r.rule().pair('净额 医疗费', m(report.net.medfee)).pair('净额 现金', m(report.net.cash));
  r.rule().pair('事中审核提示', `${report.audit.warnings} 条`).pair('  其中明确违规', `${report.audit.blocked} 条`);
  if (report.audit.redelivery) r.pair('  离线销售联网复核', `${report.audit.redelivery} 条`);
  for (const o of report.audit.overridden) r.line(`  继续结算 ${o.saleId.slice(0, 8)} ${o.ruleName}：${o.reason}`);
  if (report.attention.length) {
    r.rule().line(`待处理 ${report.attention.length} 笔`);
    for (const a of report.attention) r.pair(`  ${a.saleId.slice(0, 8)} ${a.reason ?? ''}`.slice(0, 24), a.collect === null ? '-' : `应收 ${m(a.collect)}`);
  }
  return r.cut().bytes();
}
