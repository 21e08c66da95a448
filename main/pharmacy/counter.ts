/**
 * The pharmacy counter: the customer (identified by card, e-voucher or face), quotes (2101, or
 * an offline estimate), payment through the outbox, receipts, refunds (2103), the queue the
 * cashier must see, and the shift with its totals.
 */
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { BridgeError } from '../bridge/contract/errors';
import { fen, formatYuan, type Fen } from '../bridge/contract/money';
import { maskIdNumber, maskName } from '../bridge/contract/mask';
import type { PlatformClient } from '../platform/client';
import { beijingDate, infTime } from '../platform/envelope';
import type { CheckoutService, Quote } from './checkout';
import type { Outbox, OutboxItem } from '../outbox/outbox';
import type { Drainer, RefundPayload } from '../outbox/drainer';
import type { Prescription, SettlementLine, SettlementPayload, SettlementResult, SplitSummary } from './settlement';
import type { ResidentSession } from '../session/session';
import type { DeviceManager } from '../devices/manager';
import { ReceiptBuilder } from '../../drivers/printer/encoder';
import { CATALOGUE, drugByBarcode, drugByCode } from '../../fixtures/platform/catalogue';

interface Customer {
  psnNo: string;
  name: string;
  certType: '01' | '02' | '03';
  certNo: string;
  insutype: '310' | '390';
  admdvs: string;
  balance: Fen;
}

const y = (v: number) => `￥${formatYuan(v as Fen)}`;
const OPEN: readonly string[] = ['pending', 'sending', 'unknown', 'reversed', 'needs-attention'];

export class CheckoutCounter {
  private customer: Customer | null = null;
  private lastQuote: { key: string; quote: Quote } | null = null;

  constructor(
    private readonly session: ResidentSession,
    private readonly client: PlatformClient,
    private readonly checkout: CheckoutService,
    private readonly outbox: Outbox,
    private readonly drainer: Drainer,
    private readonly devices: DeviceManager,
    private readonly terminal: { name: string; institutionName: string; institutionCode: string },
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    session.on('changed', () => {
      this.customer = null;
      this.lastQuote = null;
    });
  }

  catalogue() {
    return CATALOGUE.map((d) => ({ listCode: d.hilistCode, barcode: d.barcode, name: d.name, spec: d.spec, price: fen(d.price), prescription: d.prescription, classLevel: d.chrgitmLv }));
  }

  drugForBarcode(code: string) {
    return drugByBarcode(code) ?? null;
  }

  /** The customer of the current session: 1101 online, or the offline cache by ID number. */
  async current(): Promise<Customer> {
    const id = this.session.current;
    if (!id) throw new BridgeError('CHECKOUT_NO_CUSTOMER', 'identify the customer first (card, e-voucher or face)');
    if (this.customer) return this.customer;
    try {
      const r = await this.client.query('1101', { data: { mdtrt_cert_type: id.certType, mdtrt_cert_no: id.certNo, ...(id.cardSn ? { card_sn: id.cardSn } : {}), psn_cert_type: '01' } });
      const ins = r.insuinfo[0]!;
      this.customer = { psnNo: r.baseinfo.psn_no, name: r.baseinfo.psn_name, certType: id.certType, certNo: id.certNo, insutype: ins.insutype as '310' | '390', admdvs: ins.insuplc_admdvs, balance: fen(Math.round(ins.balc * 100)) };
      const idet = r.idetinfo[0]?.memo ?? null;
      this.checkout.rememberPerson({ psnNo: this.customer.psnNo, insutype: this.customer.insutype, insuplcAdmdvs: this.customer.admdvs, balance: this.customer.balance, assistance: (idet as never) ?? null, certNo: id.idNumber ?? id.certNo });
    } catch (err) {
      const cached = id.idNumber ? this.checkout.cachedByCert(id.idNumber) : null;
      if (!cached) throw err;
      this.customer = { psnNo: cached.psnNo, name: id.name ?? '', certType: id.certType, certNo: id.certNo, insutype: cached.insutype, admdvs: cached.insuplcAdmdvs, balance: fen(cached.balance) };
    }
    return this.customer;
  }

  async customerView() {
    const c = await this.current();
    return { maskedName: maskName(c.name), maskedNo: maskIdNumber(this.session.current?.idNumber ?? c.certNo), insutype: c.insutype, balance: c.balance, provenBy: this.session.current!.provenBy };
  }

  /** Basket lines; a prescription drug (处方药) is sold only against a prescription. */
  private lines(items: { listCode: string; quantity: number }[], rx: Prescription | undefined): SettlementLine[] {
    if (!items.length) throw new BridgeError('CHECKOUT_EMPTY', 'the basket is empty');
    return items.map((i, k) => {
      const d = drugByCode(i.listCode);
      if (!d) throw new BridgeError('CHECKOUT_UNKNOWN_DRUG', `unknown drug ${i.listCode}`);
      if (d.prescription && !rx) throw new BridgeError('CHECKOUT_PRESCRIPTION_REQUIRED', `${d.name} is a prescription drug: enter the prescription number and the prescribing doctor`);
      return { feedetlSn: String(k + 1), listCode: d.hilistCode, name: d.name, unitPrice: fen(d.price), quantityMilli: Math.round(i.quantity * 1000), ...(d.prescription && rx ? { rx } : {}) };
    });
  }

  async quote(items: { listCode: string; quantity: number }[], useAccount: boolean, rx?: Prescription): Promise<{ mode: 'online' | 'offline'; split: SplitSummary }> {
    const c = await this.current();
    const q = await this.checkout.quote({ psnNo: c.psnNo, certType: c.certType, certNo: c.certNo, insutype: c.insutype, insuplcAdmdvs: c.admdvs }, this.lines(items, rx), useAccount);
    this.lastQuote = { key: JSON.stringify([items, useAccount, c.psnNo, rx ?? null]), quote: q };
    return q;
  }

  /** Pays what was last quoted (the customer confirmed that split) and prints the receipt. */
  async pay(items: { listCode: string; quantity: number }[], useAccount: boolean, rx?: Prescription) {
    const c = await this.current();
    const key = JSON.stringify([items, useAccount, c.psnNo, rx ?? null]);
    if (!this.lastQuote || this.lastQuote.key !== key) throw new BridgeError('CHECKOUT_NOT_QUOTED', 'pre-settle again: the basket changed since the quote');
    const lines = this.lines(items, rx);
    const item = await this.checkout.pay({ psnNo: c.psnNo, certType: c.certType, certNo: c.certNo, insutype: c.insutype, insuplcAdmdvs: c.admdvs }, lines, useAccount, this.lastQuote.quote);
    this.lastQuote = null;
    const receiptJobId = this.printSale(item, c);
    this.log.info('counter.paid', { item: item.itemId, state: item.state, offline: item.payload.offline });
    return this.saleView(item, receiptJobId);
  }

  private saleView(item: OutboxItem<SettlementPayload, SettlementResult>, receiptJobId: string | null) {
    const split = item.result?.split ?? item.payload.deferred!.estimate;
    return { itemId: item.itemId, state: item.state, offline: item.payload.offline, split, setlId: item.result?.setlId ?? null, cashCollected: item.payload.deferred?.cashCollected ?? split.cash, collect: item.result?.collect ?? null, receiptJobId, reason: item.reason };
  }

  private printSale(item: OutboxItem<SettlementPayload, SettlementResult>, c: Customer): string | null {
    const printer = this.devices.printer;
    if (!printer?.printer) return null;
    const split = item.result?.split ?? item.payload.deferred!.estimate;
    const pending = item.state !== 'done';
    const r = new ReceiptBuilder().init().chinese().align('center').size(2, 2).line(pending ? '医保购药单（待结算）' : '医保购药结算单').size(1, 1).line(this.terminal.institutionName).align('left').rule();
    r.pair('参保人', maskName(c.name)).pair('时间', infTime(this.clock.now())).rule();
    for (const l of item.payload.lines) r.pair(`${l.name} ×${l.quantityMilli / 1000}`, y(Math.round((l.unitPrice * l.quantityMilli) / 1000)));
    const rx = item.payload.lines.find((l) => l.rx)?.rx;
    if (rx) r.line(`处方号 ${rx.rxno}${rx.external ? '（外购处方）' : ''}`).line(`开方医师 ${rx.doctorName}`);
    r.rule().pair('医疗费总额', y(split.medfee)).pair('医保基金支付', y(split.fund)).pair('  其中统筹基金', y(split.hifp)).pair('  其中大病/救助等', y(split.fund - split.hifp)).pair('个人账户支付', y(split.acct + split.mulaid)).pair('现金支付', y(item.payload.deferred?.cashCollected ?? split.cash));
    if (pending) r.rule().line('先就医后结算：本单待与医保平台结算').line('结算后如有差额，药店将与您联系');
    r.align('center').qr(item.result?.setlId ? `SETL:${item.result.setlId}` : `PENDING:${item.itemId}`).line(item.result?.setlId ? `结算号 ${item.result.setlId}` : '待结算').cut();
    const id = `sale-${item.itemId}`;
    printer.print(id, r.bytes());
    return id;
  }

  sales() {
    const day = beijingDate(this.clock.now());
    return this.outbox
      .list()
      .filter((i) => (i.kind === 'pharmacy-settlement' || i.kind === 'pharmacy-refund') && beijingDate(Date.parse(i.createdAt)) === day)
      .map((i) => {
        if (i.kind === 'pharmacy-refund') {
          const p = i.payload as RefundPayload;
          return { itemId: i.itemId, kind: 'refund' as const, state: i.state, total: (i.result as SettlementResult | null)?.split.medfee ?? 0, setlId: p.setlId, refundOf: p.saleItemId, at: i.createdAt, reason: i.reason };
        }
        const p = i.payload as SettlementPayload;
        const r = i.result as SettlementResult | null;
        return { itemId: i.itemId, kind: 'sale' as const, state: i.state, total: r?.split.medfee ?? p.deferred?.estimate.medfee ?? 0, setlId: r?.setlId || null, refundOf: null, at: i.createdAt, reason: i.reason };
      });
  }

  /** 2103 for one of today's settlements, through the outbox; prints a reversal receipt. */
  async refund(saleItemId: string) {
    const sale = this.outbox.get<SettlementPayload, SettlementResult>(saleItemId);
    if (sale.kind !== 'pharmacy-settlement' || sale.state !== 'done' || !sale.result?.setlId) throw new BridgeError('CHECKOUT_NOT_REFUNDABLE', 'only a settled sale can be refunded');
    if (this.outbox.list({ kind: 'pharmacy-refund' }).some((i) => (i.payload as RefundPayload).saleItemId === saleItemId && i.state !== 'failed-business')) throw new BridgeError('CHECKOUT_ALREADY_REFUNDED', 'this sale is already refunded');
    const payload: RefundPayload = { saleItemId, setlId: sale.result.setlId, mdtrtId: sale.result.mdtrtId, psnNo: sale.payload.person.psnNo, insuplcAdmdvs: sale.payload.person.insuplcAdmdvs };
    const item = this.outbox.enqueue('pharmacy-refund', payload.psnNo, payload);
    const done = (await this.drainer.settleNow(item.itemId, 20_000)) as unknown as OutboxItem<RefundPayload, SettlementResult>;
    if (done.state === 'done' && this.devices.printer?.printer) {
      const s = sale.result.split;
      const r = new ReceiptBuilder().init().chinese().align('center').size(2, 2).line('医保结算撤销单').size(1, 1).align('left').rule().pair('原结算号', sale.result.setlId).pair('撤销结算号', done.result?.setlId ?? '').pair('退还医疗费', y(s.medfee)).pair('退回统筹基金', y(s.fund)).pair('退回个人账户', y(s.acct + s.mulaid)).pair('退还现金', y(s.cash)).pair('时间', infTime(this.clock.now())).align('center').qr(`REFUND:${done.result?.setlId ?? ''}`).cut();
      this.devices.printer.print(`refund-${item.itemId}`, r.bytes());
    }
    return { itemId: item.itemId, state: done.state, reason: done.reason, receiptJobId: done.state === 'done' ? `refund-${item.itemId}` : null };
  }

  queue() {
    const c = this.outbox.counts();
    const attention = this.outbox.list({ states: ['needs-attention', 'unknown'] }).map((i) => ({ itemId: i.itemId, state: i.state, reason: i.reason, collect: (i.result as SettlementResult | null)?.collect ?? null, at: i.createdAt }));
    return { pending: c.pending + c.sending + c.reversed, unknown: c.unknown, needsAttention: c['needs-attention'], done: c.done, attention };
  }

  /** The cashier collected the difference (or wrote it off): the item is closed. */
  resolve(itemId: string, note: string) {
    const i = this.outbox.get(itemId);
    if (i.state !== 'needs-attention') throw new BridgeError('CHECKOUT_NOTHING_TO_RESOLVE', 'this item does not need attention');
    this.outbox.update(itemId, { state: 'done', reason: `RESOLVED: ${note}` });
    return { ok: true as const };
  }

  private meta(key: string): string | null {
    return (this.outbox.db.prepare('SELECT value FROM terminal_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
  }

  shiftStatus() {
    const openedAt = this.meta('shift_opened_at');
    return { open: openedAt !== null, openedAt };
  }

  openShift() {
    if (this.meta('shift_opened_at')) throw new BridgeError('SHIFT_ALREADY_OPEN', 'a shift is already open');
    this.outbox.db.prepare("INSERT INTO terminal_meta(key, value) VALUES ('shift_opened_at', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(this.clock.nowIso());
    return this.shiftStatus();
  }

  /** Totals by fund, account and cash; refused while anything of the shift is not settled. */
  closeShift() {
    const openedAt = this.meta('shift_opened_at');
    if (!openedAt) throw new BridgeError('SHIFT_NOT_OPEN', 'no shift is open');
    const items = this.outbox.list().filter((i) => (i.kind === 'pharmacy-settlement' || i.kind === 'pharmacy-refund') && i.createdAt >= openedAt);
    const unsynced = items.filter((i) => OPEN.includes(i.state));
    if (unsynced.length) throw new BridgeError('SHIFT_UNSYNCED', `${unsynced.length} transaction(s) of this shift are not settled with the platform yet`);
    const t = { count: 0, medfee: 0, fund: 0, account: 0, cash: 0 };
    for (const i of items) {
      if (i.state !== 'done') continue;
      const s = (i.result as SettlementResult).split;
      t.count++;
      t.medfee += s.medfee;
      t.fund += s.fund;
      t.account += s.acct + s.mulaid;
      t.cash += s.cash;
    }
    const closedAt = this.clock.nowIso();
    if (this.devices.printer?.printer) {
      const r = new ReceiptBuilder().init().chinese().align('center').size(2, 2).line('交班报表').size(1, 1).align('left').rule().pair('开班', infTime(Date.parse(openedAt))).pair('交班', infTime(Date.parse(closedAt))).pair('笔数', String(t.count)).pair('医疗费合计', y(t.medfee)).pair('基金支付', y(t.fund)).pair('个人账户', y(t.account)).pair('现金', y(t.cash)).cut();
      this.devices.printer.print(`shift-${closedAt}`, r.bytes());
    }
    this.outbox.db.prepare("DELETE FROM terminal_meta WHERE key = 'shift_opened_at'").run();
    return { openedAt, closedAt, ...t };
  }
}
