/**
 * The pharmacy counter, owned by main: the customer (card, e-voucher or face), quotes (2101 or an
 * offline estimate) that become sales, payment of a quote exactly once, receipts printed once,
 * refunds with a reason, the queue the cashier must see, and the shift. The screen only asks:
 * every rule of the counter (shift, quantities, limits, expiry, confirmations) is checked here.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { BridgeError } from '../bridge/contract/errors';
import { fen, formatMoney, type Fen } from '../bridge/contract/money';
import { maskIdNumber, maskName } from '../bridge/contract/mask';
import { sexAndBirthOf } from '../bridge/contract/id-number';
import type { RefundReason } from '../bridge/contract';
import { PlatformError, type PlatformClient } from '../platform/client';
import type { TxOutput } from '../platform/schemas';
import { beijingDate } from '../platform/envelope';
import type { Outbox, OutboxItem } from '../outbox/outbox';
import type { Drainer } from '../outbox/drainer';
import type { ResidentSession } from '../session/session';
import type { CatalogueDrug, DrugCatalogue } from '../policy/catalogue';
import { priceLine } from '../policy/engine';
import { CheckoutError, type CheckoutService } from './checkout';
import type { CounterConfig } from './config';
import { REFUND_KIND, SETTLEMENT_KIND } from './delivery';
import { refundReceipt, saleReceipt, shiftReceipt } from './receipts';
import { RefundBook } from './refunds';
import { SaleBook, saleStateOf, type Sale, type SaleCustomer, type SaleState } from './sales';
import { emptyTotals, ShiftBook, type ShiftReport } from './shift';
import {
  tiersOfSummary,
  type Prescription,
  type RefundPayload,
  type SettlementLine,
  type SettlementPayload,
  type SettlementResult,
  type SplitSummary,
} from './settlement';
import type { Db } from '../store/database';
import type { PersonalData } from '../store/personal-data';
import { CounterAudit, type AuditSubject, type AuditWarning } from './audit/audit';

/** The audit's part of a quote: every warning, and whether the sale may go on. */
export interface QuoteAudit {
  source: 'platform' | 'local';
  warnings: AuditWarning[];
  /** A 'block' warning: the basket must change. */
  blocked: boolean;
  /** Warnings still waiting for the cashier's reason. */
  open: number;
}

/** Where receipts go: the printer handle, or a recording sink in tests. */
export interface ReceiptSink {
  print(id: string, bytes: Buffer): unknown;
}

export interface BasketItem {
  listCode: string;
  quantity: number;
  traceCodes?: string[];
}

export interface SaleView {
  saleId: string;
  itemId: string;
  state: SaleState;
  offline: boolean;
  split: SplitSummary;
  setlId: string | null;
  cashCollected: Fen;
  collect: Fen | null;
  receiptJobId: string | null;
  reason: string | null;
}

/** Outbox states in which a sale or refund of the shift is not finished with the platform. */
const UNSYNCED: readonly string[] = ['pending', 'sending', 'unknown', 'reversed'];

export class CheckoutCounter {
  /** The customer of the current session once 1101 (or the offline cache) has said who they are. */
  private customer: (SaleCustomer & { balance: Fen }) | null = null;
  /**
   * 家庭共济: while the cashier waits for the account owner, the next credential (ID card, 医保码)
   * is the owner's, not a new customer; main checks it is theirs and that they bound this customer.
   */
  private ownerCapture: {
    waiting: boolean;
    owner: { psnNo: string; name: string; certType: '01' | '02' | '03'; certNo: string; idNumber: string | null } | null;
    error: string | null;
  } | null = null;
  /** Pays in flight, by quote id: a second call for the same quote joins the first. */
  private readonly paying = new Map<string, Promise<SaleView>>();
  private readonly refunding = new Map<string, Promise<RefundView>>();
  readonly sales: SaleBook;
  readonly refunds: RefundBook;
  readonly shifts: ShiftBook;
  readonly audit: CounterAudit;

  constructor(
    db: Db,
    personal: PersonalData,
    private readonly session: ResidentSession,
    private readonly client: PlatformClient,
    private readonly checkout: CheckoutService,
    private readonly outbox: Outbox,
    private readonly drainer: Drainer,
    /** The receipt printer when one is connected (null: sales go on, receipts can be reprinted). */
    private readonly receiptPrinter: () => ReceiptSink | null,
    private readonly catalogueData: DrugCatalogue,
    private readonly rules: CounterConfig & { maxOfflinePerSale: number },
    private readonly terminal: { id: string; name: string; institutionName: string; institutionCode: string },
    private readonly clock: Clock,
    private readonly log: Logger,
    online: () => boolean = () => true,
  ) {
    this.sales = new SaleBook(db, personal);
    this.refunds = new RefundBook(db);
    this.shifts = new ShiftBook(db);
    this.audit = new CounterAudit(
      db,
      outbox,
      client,
      terminal,
      clock,
      log.child({ component: 'audit' }),
      online,
      (psnNo) => this.sales.purchasesOf(psnNo, beijingDate(this.clock.now() - 200 * 86_400_000)),
      () => new Set(this.sales.purchasesOf(null, beijingDate(this.clock.now() - 400 * 86_400_000)).flatMap((p) => p.lines.flatMap((l) => l.traceCodes))),
    );
    session.on('changed', () => {
      this.customer = null;
      this.ownerCapture = null;
    });
    // A quote belongs to the customer in front of the counter: when they leave, it cannot be paid
    // (and the platform hears that its warnings sent the basket back).
    session.on('ended', () => {
      this.ownerCapture = null;
      this.supersede();
    });
    this.resync();
  }

  catalogue() {
    return this.catalogueData.drugs.map((d) => ({
      listCode: d.hilistCode,
      barcode: d.barcode,
      name: d.name,
      spec: d.spec,
      price: fen(d.price),
      prescription: d.prescription,
      classLevel: d.chrgitmLv,
      selfPayBp: selfPayShare(d),
    }));
  }

  drugForBarcode(code: string) {
    return this.catalogueData.byBarcode(code);
  }

  /** A 1101 already asked for a face payer the gallery pointed to, while their challenge still ran. */
  private prefetched: { key: string; at: number; reply: Promise<TxOutput<'1101'>> } | null = null;

  /**
   * Reads the person's record (1101, a query: no money moves) for a payer whose face session is
   * still running, so that the answer is there when the session ends. Used only if that session
   * ends with the same person within 30 s; otherwise dropped.
   */
  prefetch(person: { certType: '01' | '02' | '03'; certNo: string }): void {
    const reply = this.client.query('1101', { data: { mdtrt_cert_type: person.certType, mdtrt_cert_no: person.certNo, psn_cert_type: '01' } });
    reply.catch(() => undefined);
    this.prefetched = { key: `${person.certType}:${person.certNo}`, at: this.clock.now(), reply };
  }

  private lookup(id: { certType: '01' | '02' | '03'; certNo: string; cardSn: string | null }): Promise<TxOutput<'1101'>> {
    const p = this.prefetched;
    this.prefetched = null;
    if (p && !id.cardSn && p.key === `${id.certType}:${id.certNo}` && this.clock.now() - p.at < 30_000) return p.reply;
    return this.client.query('1101', {
      data: { mdtrt_cert_type: id.certType, mdtrt_cert_no: id.certNo, ...(id.cardSn ? { card_sn: id.cardSn } : {}), psn_cert_type: '01' },
    });
  }

  /** The customer of the current session: 1101 online, or the offline cache by ID number. */
  async current(): Promise<SaleCustomer & { balance: Fen }> {
    const id = this.session.current;
    if (!id) throw new BridgeError('CHECKOUT_NO_CUSTOMER', 'identify the customer first (card, e-voucher or face)');
    if (this.customer) return this.customer;
    let c: SaleCustomer & { balance: Fen };
    try {
      const r = await this.lookup(id);
      const ins = r.insuinfo[0];
      if (!ins) throw new BridgeError('CHECKOUT_NOT_INSURED', 'the platform has no insurance record for this person');
      c = {
        psnNo: r.baseinfo.psn_no,
        name: r.baseinfo.psn_name,
        certType: id.certType,
        certNo: id.certNo,
        insutype: ins.insutype as '310' | '390',
        admdvs: ins.insuplc_admdvs,
        provenBy: id.provenBy,
        balance: fen(ins.balc),
        sex: r.baseinfo.gend === '1' || r.baseinfo.gend === '2' ? r.baseinfo.gend : null,
        birthDate: r.baseinfo.brdy,
      };
      const idet = r.idetinfo[0]?.memo ?? null;
      this.checkout.rememberPerson({
        psnNo: c.psnNo,
        insutype: c.insutype,
        insuplcAdmdvs: c.admdvs,
        balance: c.balance,
        assistance: (idet as never) ?? null,
        certNo: id.idNumber ?? id.certNo,
      });
    } catch (err) {
      const cached = id.idNumber ? this.checkout.cachedByCert(id.idNumber) : null;
      if (!cached) throw err;
      c = {
        psnNo: cached.psnNo,
        name: id.name ?? '',
        certType: id.certType,
        certNo: id.certNo,
        insutype: cached.insutype,
        admdvs: cached.insuplcAdmdvs,
        provenBy: id.provenBy,
        balance: fen(cached.balance),
        ...sexAndBirthOf(id.idNumber),
      };
    }
    if (this.session.current !== id) throw new BridgeError('CHECKOUT_NO_CUSTOMER', 'the customer changed while their record was read');
    this.customer = c;
    return c;
  }

  async customerView() {
    const c = await this.current();
    return {
      maskedName: maskName(c.name),
      maskedNo: maskIdNumber(this.session.current?.idNumber ?? c.certNo),
      insutype: c.insutype,
      balance: c.balance,
      provenBy: c.provenBy,
    };
  }

  private requireShift() {
    const s = this.shifts.current();
    if (!s) throw new BridgeError('SHIFT_NOT_OPEN', 'open a shift before selling or refunding');
    return s;
  }

  /** Basket lines: known drugs, whole packs within the limit, prescription drugs only against a prescription. */
  private lines(items: BasketItem[], rx: Prescription | undefined): SettlementLine[] {
    if (!items.length) throw new BridgeError('CHECKOUT_EMPTY', 'the basket is empty');
    if (items.length > this.rules.maxLinesPerSale) throw new BridgeError('CHECKOUT_TOO_MANY_LINES', `at most ${this.rules.maxLinesPerSale} lines per sale`);
    const seenTraces = new Set<string>();
    return items.map((i, k) => {
      const d = this.catalogueData.byCode(i.listCode);
      if (!d) throw new BridgeError('CHECKOUT_UNKNOWN_DRUG', `unknown drug ${i.listCode}`);
      if (!Number.isInteger(i.quantity) || i.quantity < 1 || i.quantity > this.rules.maxQuantityPerLine) {
        throw new BridgeError(
          'CHECKOUT_QUANTITY_INVALID',
          `${d.name}: the quantity must be a whole number of packs from 1 to ${this.rules.maxQuantityPerLine}`,
        );
      }
      if (d.prescription && !rx)
        throw new BridgeError('CHECKOUT_PRESCRIPTION_REQUIRED', `${d.name} is a prescription drug: enter the prescription number and the prescribing doctor`);
      const traces = i.traceCodes ?? [];
      if (traces.length > i.quantity)
        throw new BridgeError('CHECKOUT_TRACE_CODES', `${d.name}: more trace codes (${traces.length}) than boxes (${i.quantity})`);
      for (const t of traces) {
        if (!/^\d{20}$/.test(t)) throw new BridgeError('CHECKOUT_TRACE_CODES', `${d.name}: a trace code has 20 digits`);
        if (seenTraces.has(t)) throw new BridgeError('CHECKOUT_TRACE_CODES', `trace code ${t} is scanned twice in this basket`);
        seenTraces.add(t);
      }
      return {
        feedetlSn: String(k + 1),
        listCode: d.hilistCode,
        name: d.name,
        unitPrice: fen(d.price),
        quantityMilli: i.quantity * 1000,
        ...(d.prescription && rx ? { rx } : {}),
        ...(traces.length ? { traceCodes: traces } : {}),
      };
    });
  }

  /** One sale's ceiling: the counter's, and the lower offline one while the platform is away. */
  private assertWithinSaleLimit(total: number, mode: 'online' | 'offline'): void {
    if (total > this.rules.maxPerSale)
      throw new BridgeError('CHECKOUT_LIMIT_SALE', `one sale may come to at most ${formatMoney(this.rules.maxPerSale)}; this basket is ${formatMoney(total)}`);
    if (mode === 'offline' && total > this.rules.maxOfflinePerSale)
      throw new BridgeError(
        'OFFLINE_LIMIT_TRANSACTION',
        `offline sales are limited to ${formatMoney(this.rules.maxOfflinePerSale)} each; this basket is ${formatMoney(total)}`,
      );
  }

  /** 家庭共济: the next credential presented is the account owner's. */
  async awaitOwner(): Promise<ReturnType<CheckoutCounter['ownerStatus']>> {
    this.requireShift();
    await this.current();
    this.ownerCapture = { waiting: true, owner: null, error: null };
    return this.ownerStatus();
  }

  cancelOwner() {
    this.ownerCapture = null;
    return this.ownerStatus();
  }

  ownerStatus() {
    const c = this.ownerCapture;
    return {
      // Waiting until the owner's credential has come and the platform has answered about it.
      waiting: !!c && !c.owner && !c.error,
      owner: c?.owner ? { maskedName: maskName(c.owner.name), maskedNo: maskIdNumber(c.owner.idNumber ?? c.owner.certNo) } : null,
      error: c?.error ?? null,
    };
  }

  /**
   * A credential presented while waiting for the owner: taken as the owner's (true), then checked
   * with the platform — their record (1101) and their 家庭共济 bindings (X5803) must name this
   * customer. A failure is kept for the screen; the customer stays who they were.
   */
  offerOwner(id: { certType: '01' | '02' | '03'; certNo: string; cardSn: string | null; idNumber: string | null; name: string | null }): boolean {
    const c = this.ownerCapture;
    const customer = this.session.current;
    if (!c?.waiting || !customer) return false;
    if ((id.idNumber && id.idNumber === customer.idNumber) || id.certNo === customer.certNo) return false;
    c.waiting = false;
    this.session.touch();
    this.verifyOwner(id, customer.idNumber)
      .then((owner) => {
        if (this.ownerCapture === c) c.owner = owner;
      })
      .catch((err: unknown) => {
        if (this.ownerCapture === c) c.error = err instanceof BridgeError || err instanceof PlatformError ? err.code : 'MUTUAL_AID_FAILED';
        this.log.warn('counter.mutual_aid_refused', { code: c.error });
      });
    return true;
  }

  private async verifyOwner(
    id: { certType: '01' | '02' | '03'; certNo: string; cardSn: string | null; idNumber: string | null },
    memberIdNumber: string | null,
  ) {
    const r = await this.lookup(id);
    const ins = r.insuinfo[0];
    if (!ins || ins.insutype !== '310') throw new BridgeError('MUTUAL_AID_NOT_EMPLOYEE', '共济账户所有人须为职工医保参保人员');
    const bound = (await this.client.queryService('X5803', { data: { psn_no: r.baseinfo.psn_no } }, { insuplcAdmdvs: ins.insuplc_admdvs })) as {
      mulaid: { certno: string; vali_flag: string }[];
    };
    if (!memberIdNumber || !bound.mulaid.some((m) => m.vali_flag === '1' && m.certno === memberIdNumber))
      throw new BridgeError('MUTUAL_AID_NOT_BOUND', '该顾客未与此账户绑定家庭共济');
    return { psnNo: r.baseinfo.psn_no, name: r.baseinfo.psn_name, certType: id.certType, certNo: id.certNo, idNumber: id.idNumber };
  }

  /** Supersedes the open quotes (of one person, or all) and reports their unanswered warnings as 返回修改. */
  private supersede(psnNo?: string): void {
    const open = this.sales.openQuotes(psnNo);
    this.sales.supersedeQuotes(this.clock.nowIso(), psnNo);
    for (const s of open) this.audit.feedback(s.saleId, 'changed', { psnNo: s.customer.psnNo, insuplcAdmdvs: s.customer.admdvs });
  }

  auditOf(saleId: string, source: 'platform' | 'local'): QuoteAudit {
    const warnings = this.audit.warnings(saleId).filter((w) => w.source !== 'redelivery');
    return {
      source,
      warnings,
      blocked: warnings.some((w) => w.severity === 'block'),
      open: warnings.filter((w) => w.severity === 'warn' && w.disposition !== 'continue').length,
    };
  }

  /** The cashier goes on despite the quote's warnings, each with a written reason. */
  auditOverride(quoteId: string, answers: { warningId: string; reason: string }[]): QuoteAudit {
    const shift = this.requireShift();
    const sale = this.sales.find(quoteId);
    if (!sale) throw new BridgeError('CHECKOUT_NO_SUCH_QUOTE', 'pre-settle first: there is no such quote');
    if (sale.state !== 'quoted') throw new BridgeError('CHECKOUT_QUOTE_EXPIRED', 'this quote can no longer be changed');
    this.audit.override(quoteId, answers, shift.cashier);
    const source = this.audit.warnings(quoteId).some((w) => w.source === 'local') ? 'local' : 'platform';
    return this.auditOf(quoteId, source);
  }

  /** Pre-settles the basket and keeps it as a quoted sale; the newest quote of a customer is the only one payable. */
  async quote(items: BasketItem[], useAccount: boolean, rx?: Prescription) {
    const shift = this.requireShift();
    const lines = this.lines(items, rx);
    const total = lines.reduce((s, l) => s + Math.round((l.unitPrice * l.quantityMilli) / 1000), 0);
    this.assertWithinSaleLimit(total, 'online');
    const c = await this.current();
    const saleId = randomUUID();
    // 事中审核 before the pre-settlement: the platform's 3102, or the local copy while it is away.
    const subject: AuditSubject = { psnNo: c.psnNo, name: c.name, insutype: c.insutype, admdvs: c.admdvs, sex: c.sex ?? null, birthDate: c.birthDate ?? null };
    const audited = await this.audit.analyse(saleId, subject, this.auditLines(lines), null);
    const owner = this.ownerCapture?.owner ?? null;
    if (this.ownerCapture && !owner) throw new BridgeError('MUTUAL_AID_OWNER_PENDING', '请等待共济账户所有人刷卡或出示医保码，或取消共济支付');
    const mutualAid = owner ? { psnNo: owner.psnNo, name: owner.name, certType: owner.certType, certNo: owner.certNo } : undefined;
    const q = await this.checkout
      .quote(
        { psnNo: c.psnNo, certType: c.certType, certNo: c.certNo, insutype: c.insutype, insuplcAdmdvs: c.admdvs, ...(mutualAid ? { mutualAid } : {}) },
        lines,
        useAccount,
      )
      .catch((err: unknown) => {
        if (err instanceof CheckoutError) throw new BridgeError(err.code, err.message);
        throw err;
      });
    this.assertWithinSaleLimit(total, q.mode);
    const now = this.clock.now();
    const replaced = this.sales.openQuotes(c.psnNo);
    const expiresAt = now + this.rules.quoteTtlSeconds * 1000;
    const nowIso = this.clock.nowIso();
    this.outbox.db.transaction(() => {
      this.sales.supersedeQuotes(nowIso, c.psnNo);
      this.sales.insertQuote(
        {
          saleId,
          shiftId: shift.shiftId,
          customer: {
            psnNo: c.psnNo,
            name: c.name,
            certType: c.certType,
            certNo: c.certNo,
            insutype: c.insutype,
            admdvs: c.admdvs,
            provenBy: c.provenBy,
            sex: c.sex ?? null,
            birthDate: c.birthDate ?? null,
            mutualAid: mutualAid ?? null,
          },
          lines,
          prescription: rx ?? null,
          useAccount,
          mode: q.mode,
          quote: q.split,
          total: fen(total),
          quotedAt: nowIso,
          expiresAt,
          businessDate: beijingDate(now),
        },
        nowIso,
      );
      this.audit.record(saleId, audited.warnings);
    })();
    for (const s of replaced) this.audit.feedback(s.saleId, 'changed', { psnNo: s.customer.psnNo, insuplcAdmdvs: s.customer.admdvs });
    if (audited.warnings.length) this.log.info('counter.audit', { sale: saleId, source: audited.source, warnings: audited.warnings.map((w) => w.ruleId) });
    return {
      quoteId: saleId,
      mode: q.mode,
      split: q.split,
      tiers: tiersOfSummary(q.split),
      expiresAt: new Date(expiresAt).toISOString(),
      audit: this.auditOf(saleId, audited.source),
    };
  }

  private auditLines(lines: SettlementLine[]) {
    return lines.map((l) => ({
      lineId: l.feedetlSn,
      listCode: l.listCode,
      name: l.name,
      packs: l.quantityMilli / 1000,
      unitPrice: l.unitPrice,
      amount: Math.round((l.unitPrice * l.quantityMilli) / 1000),
      traceCodes: l.traceCodes ?? [],
    }));
  }

  /** Before an offline sale is delivered: the platform audits what was sold (once), and hears it was sold. */
  async reauditBeforeDelivery(item: OutboxItem): Promise<void> {
    const sale = this.sales.byItem(item.itemId);
    if (!sale || sale.mode !== 'offline') return;
    if (this.audit.warnings(sale.saleId).some((w) => w.source === 'redelivery')) return;
    const c = sale.customer;
    await this.audit.reaudit(
      sale.saleId,
      { psnNo: c.psnNo, name: c.name, insutype: c.insutype, admdvs: c.admdvs, sex: c.sex ?? null, birthDate: c.birthDate ?? null },
      this.auditLines(sale.lines),
    );
  }

  /**
   * Pays a quote. Whatever the timing — a double tap, a retried request, a second cashier page —
   * one quote makes one settlement, one debit and one receipt: concurrent calls join the pay in
   * flight, later calls read the sale as it stands.
   */
  pay(quoteId: string, confirmation: { cashierConfirmed: true; customerConfirmed: true; ownerConfirmed?: true }): Promise<SaleView> {
    const inFlight = this.paying.get(quoteId);
    if (inFlight) return inFlight;
    const p = this.payOnce(quoteId, confirmation).finally(() => this.paying.delete(quoteId));
    this.paying.set(quoteId, p);
    return p;
  }

  private async payOnce(quoteId: string, confirmation: { cashierConfirmed: true; customerConfirmed: true; ownerConfirmed?: true }): Promise<SaleView> {
    const sale = this.sales.find(quoteId);
    if (!sale) throw new BridgeError('CHECKOUT_NO_SUCH_QUOTE', 'pre-settle first: there is no such quote');
    // Main takes no money the cashier and the customer have not both confirmed, whoever calls.
    if (confirmation.cashierConfirmed !== true || confirmation.customerConfirmed !== true)
      throw new BridgeError('CHECKOUT_NOT_CONFIRMED', 'the cashier and the customer must both confirm the amounts');
    if (sale.state === 'expired' || sale.state === 'superseded')
      throw new BridgeError('CHECKOUT_QUOTE_EXPIRED', 'this quote can no longer be paid (it expired, or a newer one was made): pre-settle again');
    if (sale.state !== 'quoted') return this.viewOf(sale);
    const shift = this.requireShift();
    const nowMs = this.clock.now();
    const now = this.clock.nowIso();
    if (sale.shiftId !== shift.shiftId) throw new BridgeError('CHECKOUT_QUOTE_EXPIRED', 'the quote belongs to a closed shift: pre-settle again');
    if (nowMs > sale.expiresAt) {
      this.sales.setState(sale.saleId, 'expired', now);
      throw new BridgeError('CHECKOUT_QUOTE_EXPIRED', 'the quote has expired: pre-settle again');
    }
    const who = this.session.current;
    if (!who || (this.customer && this.customer.psnNo !== sale.customer.psnNo))
      throw new BridgeError('CHECKOUT_NO_CUSTOMER', 'the customer of this quote is no longer at the counter');
    const held = this.audit.obstacle(sale.saleId);
    if (held) throw held;
    // 共济: the owner's money moves only after the owner has seen the amount and agreed.
    if (sale.customer.mutualAid && confirmation.ownerConfirmed !== true)
      throw new BridgeError('CHECKOUT_OWNER_NOT_CONFIRMED', '共济支付须由账户所有人核对金额并确认');
    this.assertWithinSaleLimit(sale.total, sale.mode);
    const person = {
      psnNo: sale.customer.psnNo,
      certType: sale.customer.certType,
      certNo: sale.customer.certNo,
      insutype: sale.customer.insutype,
      insuplcAdmdvs: sale.customer.admdvs,
      ...(sale.customer.mutualAid ? { mutualAid: sale.customer.mutualAid } : {}),
    };
    if (sale.mode === 'offline') {
      try {
        this.checkout.assertOfflineAllowed(person, sale.total, sale.quote, (psn, day) => this.sales.offlineTotal(psn, day));
      } catch (err) {
        if (err instanceof CheckoutError) throw new BridgeError(err.code, err.message);
        throw err;
      }
    }
    const payload = this.checkout.payload(sale.saleId, person, sale.lines, sale.useAccount, { mode: sale.mode, split: sale.quote }, sale.mode === 'offline');
    // The state check, the outbox item and the move to 'paying' are one transaction.
    const item = this.outbox.db.transaction(() => {
      const fresh = this.sales.find(sale.saleId);
      if (fresh?.state !== 'quoted') return null;
      const it = this.outbox.enqueue(SETTLEMENT_KIND, person.psnNo, payload);
      const moved = this.sales.markPaying(
        sale.saleId,
        {
          itemId: it.itemId,
          cashCollected: sale.quote.cash,
          cashierConfirmedAt: now,
          customerConfirmed: { by: who.provenBy, at: now },
        },
        now,
      );
      if (!moved) throw new BridgeError('CHECKOUT_RACE', 'the sale changed while it was being paid');
      return it;
    })();
    if (!item) return this.viewOf(this.sales.find(sale.saleId)!);
    this.audit.feedback(sale.saleId, 'paid', { psnNo: person.psnNo, insuplcAdmdvs: person.insuplcAdmdvs });
    this.log.info('counter.accepted', { sale: sale.saleId, item: item.itemId, mode: sale.mode, total: sale.total });
    if (sale.mode === 'online') await this.drainer.settleNow(item.itemId, 20_000);
    return this.afterSettlement(sale.saleId);
  }

  /** Moves the sale to the state its outbox item stands for and prints its receipt once it has an outcome to print. */
  private afterSettlement(saleId: string): SaleView {
    const sale = this.syncSale(saleId);
    let receiptJobId: string | null = null;
    const printable = sale.state === 'settled' || sale.state === 'pending-offline' || (sale.state === 'needs-attention' && sale.mode === 'offline');
    if (printable) receiptJobId = this.printSale(sale);
    this.log.info('counter.paid', { sale: saleId, state: sale.state });
    return { ...this.viewOf(sale), receiptJobId };
  }

  private item(sale: Sale): OutboxItem<SettlementPayload, SettlementResult> | null {
    return sale.itemId ? this.outbox.get<SettlementPayload, SettlementResult>(sale.itemId) : null;
  }

  private syncSale(saleId: string): Sale {
    const sale = this.sales.find(saleId)!;
    const it = this.item(sale);
    if (!it || sale.state === 'refunding' || sale.state === 'refunded') return sale;
    const state = saleStateOf(it, sale.mode);
    if (state !== sale.state) this.sales.setState(saleId, state, this.clock.nowIso());
    return { ...sale, state };
  }

  /**
   * After a restart: sale states follow their outbox items. A crash can fall between an item's
   * change and the sale's, so both settlements and refunds are looked at again.
   */
  private resync(): void {
    for (const s of this.sales.withItems()) {
      if (s.state === 'refunding' || s.state === 'refunded') {
        const last = this.refunds.ofSale(s.saleId).at(-1);
        if (last) this.syncRefund(s.saleId, this.outbox.get(last.itemId));
      } else this.syncSale(s.saleId);
    }
  }

  /** Called by the delivery handlers after each change the drainer made. */
  itemChanged(item: OutboxItem): void {
    if (item.kind === SETTLEMENT_KIND) {
      const sale = this.sales.byItem(item.itemId);
      if (!sale) return;
      const before = sale.state;
      const after = this.syncSale(sale.saleId);
      // An offline sale that settles later gets its settled receipt only if none was printed.
      if (before !== after.state) this.log.info('counter.sale_state', { sale: sale.saleId, from: before, to: after.state });
    } else if (item.kind === REFUND_KIND) {
      const r = this.refunds.byItem(item.itemId);
      if (r) this.syncRefund(r.saleId, item);
    }
  }

  private syncRefund(saleId: string, it: OutboxItem): void {
    const now = this.clock.nowIso();
    if (it.state === 'done') this.sales.setState(saleId, 'refunded', now);
    else if (it.state === 'failed-business') this.sales.setState(saleId, 'settled', now);
    else this.sales.setState(saleId, 'refunding', now);
  }

  private viewOf(sale: Sale): SaleView {
    const it = this.item(sale);
    const split = it?.result?.split ?? sale.quote;
    return {
      saleId: sale.saleId,
      itemId: sale.itemId ?? '',
      state: sale.state,
      offline: sale.mode === 'offline',
      split,
      setlId: it?.result?.setlId || null,
      cashCollected: sale.cashCollected ?? split.cash,
      collect: it?.result?.collect ?? null,
      receiptJobId: sale.receiptPrinted ? `sale-${sale.saleId}` : null,
      reason: it?.reason ?? null,
    };
  }

  private printSale(sale: Sale): string | null {
    const id = `sale-${sale.saleId}`;
    const printer = this.receiptPrinter();
    // Claimed in SQLite: one receipt per sale, however many calls ask for it.
    if (!printer || !this.sales.claimReceipt(sale.saleId)) return this.sales.find(sale.saleId)?.receiptPrinted ? id : null;
    const it = this.item(sale)!;
    const split = it.result?.split ?? sale.quote;
    try {
      printer.print(id, saleReceipt(sale, split, it.state === 'done' ? it.result?.setlId || null : null, this.terminal.institutionName, this.clock.now()));
    } catch (err) {
      // The sale stands; the printer's state is on the status bar and the receipt can be reprinted.
      this.log.warn('counter.receipt_failed', { sale: sale.saleId, error: (err as Error).message });
      return null;
    }
    return id;
  }

  salesToday() {
    const day = beijingDate(this.clock.now());
    const out: {
      saleId: string;
      itemId: string;
      kind: 'sale' | 'refund';
      state: string;
      total: number;
      setlId: string | null;
      refundable: boolean;
      at: string;
      reason: string | null;
    }[] = [];
    for (const s of this.sales.ofDay(day)) {
      const it = this.item(s);
      out.push({
        saleId: s.saleId,
        itemId: s.itemId!,
        kind: 'sale',
        state: s.state,
        total: it?.result?.split.medfee ?? s.total,
        setlId: it?.result?.setlId || null,
        refundable: s.state === 'settled',
        at: s.quotedAt,
        reason: it?.reason ?? null,
      });
      for (const r of this.refunds.ofSale(s.saleId)) {
        const ri = this.outbox.get<RefundPayload, SettlementResult>(r.itemId);
        out.push({
          saleId: s.saleId,
          itemId: r.itemId,
          kind: 'refund',
          state: ri.state,
          total: ri.result?.split.medfee ?? -s.total,
          setlId: ri.result?.setlId || null,
          refundable: false,
          at: r.createdAt,
          reason: r.reason,
        });
      }
    }
    return out;
  }

  /** 2103 for a settled sale of this terminal, through the outbox; prints a reversal receipt. Idempotent per sale. */
  refund(saleId: string, reason: RefundReason, note: string | undefined): Promise<RefundView> {
    const inFlight = this.refunding.get(saleId);
    if (inFlight) return inFlight;
    const p = this.refundOnce(saleId, reason, note ?? null).finally(() => this.refunding.delete(saleId));
    this.refunding.set(saleId, p);
    return p;
  }

  private async refundOnce(saleId: string, reason: RefundReason, note: string | null): Promise<RefundView> {
    const shift = this.requireShift();
    const sale = this.syncSale(saleId);
    if (!sale.itemId) throw new BridgeError('CHECKOUT_NOT_REFUNDABLE', 'only a settled sale can be refunded');
    const live = this.refunds
      .ofSale(saleId)
      .map((r) => ({ r, it: this.outbox.get(r.itemId) }))
      .find(({ it }) => it.state !== 'failed-business');
    if (live) {
      if (live.it.state === 'done') throw new BridgeError('CHECKOUT_ALREADY_REFUNDED', 'this sale is already refunded');
      return this.refundView(live.r.refundId, sale, live.it);
    }
    const it = this.item(sale)!;
    if (sale.state !== 'settled' || !it.result?.setlId) throw new BridgeError('CHECKOUT_NOT_REFUNDABLE', 'only a settled sale can be refunded');
    const now = this.clock.nowIso();
    const payload: RefundPayload = {
      saleItemId: it.itemId,
      setlId: it.result.setlId,
      mdtrtId: it.result.mdtrtId,
      psnNo: sale.customer.psnNo,
      insuplcAdmdvs: sale.customer.admdvs,
    };
    const refundId = randomUUID();
    const item = this.outbox.db.transaction(() => {
      const ri = this.outbox.enqueue(REFUND_KIND, payload.psnNo, payload);
      this.refunds.insert({ refundId, saleId, shiftId: shift.shiftId, reason, note, itemId: ri.itemId, cashierConfirmedAt: now, createdAt: now });
      this.sales.setState(saleId, 'refunding', now);
      return ri;
    })();
    this.log.info('counter.refund_accepted', { sale: saleId, refund: refundId, reason });
    const done = await this.drainer.settleNow(item.itemId, 20_000);
    this.syncRefund(saleId, done);
    return this.refundView(refundId, this.sales.find(saleId)!, done);
  }

  private refundView(refundId: string, sale: Sale, ri: OutboxItem): RefundView {
    let receiptJobId: string | null = null;
    if (ri.state === 'done') {
      receiptJobId = `refund-${refundId}`;
      const r = this.refunds.ofSale(sale.saleId).find((x) => x.refundId === refundId)!;
      const printer = this.receiptPrinter();
      if (printer && this.refunds.claimReceipt(refundId)) {
        const orig = this.item(sale)!.result!;
        const res = ri.result as SettlementResult;
        try {
          printer.print(receiptJobId, refundReceipt(sale, orig.split, orig.setlId, res.setlId, r.reason, this.clock.now()));
        } catch (err) {
          this.log.warn('counter.receipt_failed', { refund: refundId, error: (err as Error).message });
          receiptJobId = null;
        }
      }
    }
    return { refundId, itemId: ri.itemId, state: ri.state, reason: ri.reason, receiptJobId };
  }

  queue() {
    const c = this.outbox.counts();
    const attention = this.outbox
      .list({ states: ['needs-attention', 'unknown'] })
      .map((i) => ({ itemId: i.itemId, state: i.state, reason: i.reason, collect: (i.result as SettlementResult | null)?.collect ?? null, at: i.createdAt }));
    return { pending: c.pending + c.sending + c.reversed, unknown: c.unknown, needsAttention: c['needs-attention'], done: c.done, attention };
  }

  /** The cashier collected the difference (or wrote it off): the item is closed. */
  resolve(itemId: string, note: string) {
    this.requireShift();
    const i = this.outbox.get(itemId);
    if (i.state !== 'needs-attention') throw new BridgeError('CHECKOUT_NOTHING_TO_RESOLVE', 'this item does not need attention');
    this.outbox.update(itemId, { state: 'done', reason: `RESOLVED: ${note}` });
    this.itemChanged(this.outbox.get(itemId));
    return { ok: true as const };
  }

  shiftStatus() {
    const s = this.shifts.current();
    return { open: s !== null, openedAt: s?.openedAt ?? null, cashier: s?.cashier ?? null };
  }

  openShift(cashier: string | undefined) {
    const s = this.shifts.open(cashier ?? this.terminal.id, this.clock.nowIso());
    if (!s) throw new BridgeError('SHIFT_ALREADY_OPEN', 'a shift is already open');
    this.log.info('counter.shift_opened', { shift: s.shiftId });
    return this.shiftStatus();
  }

  /** The report of every sale, refund, offline sale and item needing attention; refused while any is unsynced. */
  closeShift(): ShiftReport {
    const shift = this.requireShift();
    const sales = this.sales.ofShift(shift.shiftId).map((s) => ({ s, it: this.item(s)! }));
    const refunds = this.refunds.ofShift(shift.shiftId).map((r) => ({ r, it: this.outbox.get<RefundPayload, SettlementResult>(r.itemId) }));
    const unsynced = [...sales.map((x) => x.it), ...refunds.map((x) => x.it)].filter((i) => UNSYNCED.includes(i.state));
    if (unsynced.length) throw new BridgeError('SHIFT_UNSYNCED', `${unsynced.length} transaction(s) of this shift are not settled with the platform yet`);
    const report: ShiftReport = {
      shiftId: shift.shiftId,
      cashier: shift.cashier,
      openedAt: shift.openedAt,
      closedAt: this.clock.nowIso(),
      sales: emptyTotals(),
      refunds: emptyTotals(),
      net: emptyTotals(),
      offline: { count: 0, medfee: 0 },
      attention: [],
      audit: this.audit.ofShift(shift.shiftId),
      receiptJobId: null,
    };
    const add = (t: typeof report.sales, s: SplitSummary, sign: 1 | -1) => {
      t.count++;
      t.medfee += sign * s.medfee;
      t.fund += sign * s.fund;
      t.account += sign * (s.acct + s.mulaid);
      t.cash += sign * s.cash;
    };
    for (const { s, it } of sales) {
      if (it.state === 'needs-attention')
        report.attention.push({ saleId: s.saleId, itemId: it.itemId, reason: it.reason, collect: it.result?.collect ?? null });
      if (s.mode === 'offline') {
        report.offline.count++;
        report.offline.medfee += s.total;
      }
      if (it.state === 'done' && it.result) add(report.sales, it.result.split, 1);
    }
    for (const { r, it } of refunds) {
      if (it.state === 'needs-attention') report.attention.push({ saleId: r.saleId, itemId: it.itemId, reason: it.reason, collect: null });
      // The platform answers a refund with negative amounts; the report shows what went back.
      if (it.state === 'done' && it.result) add(report.refunds, it.result.split, it.result.split.medfee < 0 ? -1 : 1);
    }
    report.net = {
      count: report.sales.count + report.refunds.count,
      medfee: report.sales.medfee - report.refunds.medfee,
      fund: report.sales.fund - report.refunds.fund,
      account: report.sales.account - report.refunds.account,
      cash: report.sales.cash - report.refunds.cash,
    };
    const printer = this.receiptPrinter();
    if (printer) {
      const id = `shift-${shift.shiftId}`;
      try {
        printer.print(id, shiftReceipt(report));
        report.receiptJobId = id;
      } catch (err) {
        this.log.warn('counter.receipt_failed', { shift: shift.shiftId, error: (err as Error).message });
      }
    }
    const open = this.sales.openQuotes();
    this.outbox.db.transaction(() => {
      this.shifts.close(shift.shiftId, report);
      this.sales.supersedeQuotes(report.closedAt);
    })();
    for (const s of open) this.audit.feedback(s.saleId, 'changed', { psnNo: s.customer.psnNo, insuplcAdmdvs: s.customer.admdvs });
    this.log.info('counter.shift_closed', { shift: shift.shiftId, sales: report.sales.count, refunds: report.refunds.count });
    return report;
  }
}

export interface RefundView {
  refundId: string;
  itemId: string;
  state: string;
  reason: string | null;
  receiptJobId: string | null;
}

/** A drug's self-pay share (basis points) as the policy engine prices one pack, so the basket and the split never disagree. */
function selfPayShare(d: CatalogueDrug): number {
  const line = { feedetlSn: d.hilistCode, listCode: d.hilistCode, name: d.name, chrgitmLv: d.chrgitmLv, selfPayBp: d.selfPayBp };
  return priceLine({ ...line, unitPrice: fen(d.price), quantityMilli: 1000, priceCap: null }).selfPayBp;
}
