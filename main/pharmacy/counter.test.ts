/**
 * The counter as a pharmacy chain's acceptance tester tries it: double taps and concurrent pays,
 * quotes that expire or are replaced, the rules of the shift, refunds, the shift report, a day
 * that reconciles, and a platform sign-in that expires mid-shift. Real SQLite, real HTTP to the
 * simulator on 127.0.0.1; the simulator's own records are the judge.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { RESIDENTS, residentByName } from '../../fixtures/people/residents';
import { readReceipts } from '../../drivers/printer/parser';
import { fixedClock } from '../ground/clock';
import { waitUntil } from '../ground/wait';
import { beijingDate } from '../platform/envelope';
import { items, rig, sell, TEST_RX, type Rig } from './testing/rig';

let sim: PlatformSimulator;
let r: Rig;
beforeAll(async () => {
  sim = await startPlatformSimulator();
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  sim.faults.clear();
  await sim.setReachable(true);
  r = rig(sim.url);
});
afterEach(async () => {
  await r.close();
});

const settled2102 = (psnNo: string, code: string) =>
  sim.db
    .prepare("SELECT COUNT(*) AS n FROM settlement WHERE psn_no = ? AND fixmedins_code = ? AND infno = '2102' AND state IN ('settled', 'cancelled')")
    .get(psnNo, code) as { n: number };
const balance = (psnNo: string) => (sim.db.prepare('SELECT balance FROM person WHERE psn_no = ?').get(psnNo) as { balance: number }).balance;
const code = () => r.client['o'].terminal.fixmedinsCode as string;
const pay = (quoteId: string) => r.pharmacy.counter.pay(quoteId, { cashierConfirmed: true, customerConfirmed: true });

describe('one quote, one settlement', () => {
  it('20 concurrent pays of one quote make one settlement, one debit and one receipt', async () => {
    const wang = residentByName('王建国');
    const before = balance(wang.psnNo);
    r.pharmacy.counter.openShift('收银员01');
    r.customer(wang);
    const q = await r.pharmacy.counter.quote(items([4, 2], [8, 1]), true);
    const results = await Promise.all(Array.from({ length: 20 }, () => pay(q.quoteId)));
    expect(new Set(results.map((s) => s.saleId))).toEqual(new Set([q.quoteId]));
    expect(new Set(results.map((s) => s.state))).toEqual(new Set(['settled']));
    expect(settled2102(wang.psnNo, code()).n).toBe(1);
    const acct = results[0]!.split.acct;
    expect(acct).toBeGreaterThan(0);
    expect(before - balance(wang.psnNo)).toBe(acct);
    expect([...r.printed.keys()]).toEqual([`sale-${q.quoteId}`]);
    expect(r.outbox.list({ kind: 'pharmacy-settlement' })).toHaveLength(1);
    // Paid again later (a retried HTTP request): the same sale, nothing new.
    const again = await pay(q.quoteId);
    expect(again).toMatchObject({ saleId: q.quoteId, state: 'settled', setlId: results[0]!.setlId });
    expect(settled2102(wang.psnNo, code()).n).toBe(1);
    expect(r.printed.size).toBe(1);
  });

  it('records who confirmed: the cashier, and the customer by the way they were identified', async () => {
    const { sale } = await sell(r, RESIDENTS[3]!, items([5, 1]));
    const s = r.pharmacy.counter.sales.find(sale.saleId)!;
    expect(s.cashierConfirmedAt).not.toBeNull();
    expect(s.customerConfirmed).toMatchObject({ by: 'id-card' });
  });

  it('a quote expires after its time; a newer quote replaces the older one; a quote of a customer who left cannot be paid', async () => {
    const clock = fixedClock(Date.now());
    await r.close();
    r = rig(sim.url, { clock, counter: { quoteTtlSeconds: 60 } });
    const p = RESIDENTS[4]!;
    r.pharmacy.counter.openShift('收银员01');
    r.customer(p);
    const old = await r.pharmacy.counter.quote(items([4, 1]), true);
    clock.advance(61_000);
    await expect(pay(old.quoteId)).rejects.toMatchObject({ code: 'CHECKOUT_QUOTE_EXPIRED' });
    expect(r.pharmacy.counter.sales.find(old.quoteId)!.state).toBe('expired');

    const first = await r.pharmacy.counter.quote(items([4, 1]), true);
    const changed = await r.pharmacy.counter.quote(items([4, 2]), true);
    await expect(pay(first.quoteId)).rejects.toMatchObject({ code: 'CHECKOUT_QUOTE_EXPIRED' });
    r.session.end('logout');
    await expect(pay(changed.quoteId)).rejects.toMatchObject({ code: 'CHECKOUT_QUOTE_EXPIRED' });
    await expect(pay('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'CHECKOUT_NO_SUCH_QUOTE' });
    expect(r.outbox.list()).toHaveLength(0);
    expect(settled2102(p.psnNo, code()).n).toBe(0);
  });
});

describe('rules of the counter', () => {
  it('no sale and no refund without an open shift', async () => {
    r.customer(RESIDENTS[5]!);
    await expect(r.pharmacy.counter.quote(items([4, 1]), true)).rejects.toMatchObject({ code: 'SHIFT_NOT_OPEN' });
    const { sale } = await sell(r, RESIDENTS[5]!, items([4, 1]));
    r.pharmacy.counter.closeShift();
    await expect(r.pharmacy.counter.refund(sale.saleId, 'customer-return', undefined)).rejects.toMatchObject({ code: 'SHIFT_NOT_OPEN' });
    expect(() => r.pharmacy.counter.openShift('收银员02')).not.toThrow();
    expect(() => r.pharmacy.counter.openShift('收银员03')).toThrow(expect.objectContaining({ code: 'SHIFT_ALREADY_OPEN' }));
  });

  it('whole packs only, within the per-line maximum; unknown drugs and prescription drugs without a prescription are refused', async () => {
    r.pharmacy.counter.openShift('收银员01');
    r.customer(RESIDENTS[6]!);
    const q = (list: { listCode: string; quantity: number }[], rx?: typeof TEST_RX) => r.pharmacy.counter.quote(list, true, rx);
    const listCode = items([4, 1])[0]!.listCode;
    for (const quantity of [0.37, 0, -1, 51, 1.5]) await expect(q([{ listCode, quantity }])).rejects.toMatchObject({ code: 'CHECKOUT_QUANTITY_INVALID' });
    await expect(q([{ listCode: 'XX', quantity: 1 }])).rejects.toMatchObject({ code: 'CHECKOUT_UNKNOWN_DRUG' });
    await expect(q(items([0, 1]))).rejects.toMatchObject({ code: 'CHECKOUT_PRESCRIPTION_REQUIRED' });
    await expect(q(items([0, 1]), TEST_RX)).resolves.toMatchObject({ mode: 'online' });
    expect(r.outbox.list()).toHaveLength(0);
  });

  it('a sale above the per-sale maximum is refused online, and offline at the lower offline maximum', async () => {
    await r.close();
    r = rig(sim.url, { counter: { maxPerSale: 100_000 }, offline: { maxPerTransaction: 20_000 } });
    r.pharmacy.counter.openShift('收银员01');
    const p = RESIDENTS[7]!;
    r.customer(p);
    // 7 boxes of insulin at ¥168.90: ¥1,182.30 against a ¥1,000 ceiling.
    await expect(r.pharmacy.counter.quote(items([11, 7]), true, TEST_RX)).rejects.toMatchObject({ code: 'CHECKOUT_LIMIT_SALE' });
    await expect(r.pharmacy.counter.quote(items([11, 5]), true, TEST_RX)).resolves.toMatchObject({ mode: 'online' });
    r.checkout.rememberPerson({
      psnNo: p.psnNo,
      insutype: p.insutype,
      insuplcAdmdvs: p.insuplcAdmdvs,
      balance: p.balance,
      assistance: p.assistance,
      certNo: p.idNumber,
    });
    r.setOnline(false);
    await expect(r.pharmacy.counter.quote(items([11, 2]), true, TEST_RX)).rejects.toMatchObject({ code: 'OFFLINE_LIMIT_TRANSACTION' });
    await expect(r.pharmacy.counter.quote(items([11, 1]), true, TEST_RX)).resolves.toMatchObject({ mode: 'offline' });
  });
});

describe('refunds', () => {
  it('a refund names its reason, is confirmed by the cashier, prints a reversal receipt, and happens once however often it is asked', async () => {
    const p = RESIDENTS[8]!;
    const before = balance(p.psnNo);
    const { sale } = await sell(r, p, items([9, 1], [4, 1]));
    expect(before - balance(p.psnNo)).toBe(sale.split.acct);
    const results = await Promise.all(Array.from({ length: 5 }, () => r.pharmacy.counter.refund(sale.saleId, 'wrong-item', '扫错药品')));
    expect(new Set(results.map((x) => x.refundId)).size).toBe(1);
    expect(results[0]).toMatchObject({ state: 'done' });
    expect(balance(p.psnNo)).toBe(before);
    expect(sim.db.prepare("SELECT COUNT(*) AS n FROM settlement WHERE psn_no = ? AND infno = '2103'").get(p.psnNo)).toEqual({ n: 1 });
    expect(r.pharmacy.counter.sales.find(sale.saleId)!.state).toBe('refunded');
    const receipt = readReceipts(r.printed.get(results[0]!.receiptJobId!)!)[0]!;
    expect(receipt.lines.join('\n')).toContain('医保结算撤销单');
    expect(receipt.lines.join('\n')).toContain('药品录入错误');
    const row = r.pharmacy.counter.refunds.ofSale(sale.saleId)[0]!;
    expect(row).toMatchObject({ reason: 'wrong-item', note: '扫错药品' });
    expect(row.cashierConfirmedAt).not.toBeNull();
    await expect(r.pharmacy.counter.refund(sale.saleId, 'wrong-item', undefined)).rejects.toMatchObject({ code: 'CHECKOUT_ALREADY_REFUNDED' });
  });
});

describe('the shift report and the day', () => {
  it('lists every sale, refund, offline sale and item needing attention, prints, and the day reconciles', async () => {
    const people = RESIDENTS.slice(20, 26);
    const sold = [];
    for (const p of people.slice(0, 4)) sold.push((await sell(r, p, items([4, 1], [13, 1]))).sale);
    await r.pharmacy.counter.refund(sold[1]!.saleId, 'customer-return', undefined);
    // Two sales while the platform is away; they settle when it returns.
    for (const p of people.slice(4, 6))
      r.checkout.rememberPerson({
        psnNo: p.psnNo,
        insutype: p.insutype,
        insuplcAdmdvs: p.insuplcAdmdvs,
        balance: p.balance,
        assistance: p.assistance,
        certNo: p.idNumber,
      });
    await sim.setReachable(false);
    r.setOnline(false);
    for (const p of people.slice(4, 6)) expect((await sell(r, p, items([5, 1]))).sale.state).toBe('pending-offline');
    await expect(Promise.resolve().then(() => r.pharmacy.counter.closeShift())).rejects.toMatchObject({ code: 'SHIFT_UNSYNCED' });
    await sim.setReachable(true);
    r.setOnline(true);
    await waitUntil(async () => {
      await r.drainer.drainOnce();
      return r.outbox.counts().pending === 0;
    });
    const report = r.pharmacy.counter.closeShift();
    const settledCount = r.outbox.list({ kind: 'pharmacy-settlement', states: ['done'] }).length;
    const attention = r.outbox.list({ kind: 'pharmacy-settlement', states: ['needs-attention'] }).length;
    expect(settledCount + attention).toBe(6);
    expect(report.sales.count).toBe(settledCount);
    expect(report.refunds.count).toBe(1);
    expect(report.offline.count).toBe(2);
    expect(report.attention).toHaveLength(attention);
    expect(report.refunds.medfee).toBe(sold[1]!.split.medfee);
    expect(report.net.medfee).toBe(report.sales.medfee - sold[1]!.split.medfee);
    const paper = readReceipts(r.printed.get(report.receiptJobId!)!)[0]!.lines.join('\n');
    expect(paper).toContain('交班报表');
    expect(paper).toMatch(/退费笔数 +1/);

    const day = await r.reconciler.reconcile(beijingDate(Date.now()));
    expect(day.error).toBeNull();
    expect(day.totals.map((t) => t.result)).toEqual(['0', '0']);
    // Six settlements and one refund row.
    expect(day.totals.reduce((s, t) => s + t.count, 0)).toBe(7);
    expect(day.detail).toMatchObject({ matched: 7, reported: [] });
  });
});

describe('platform sign-in', () => {
  it('expires mid-shift without the cashier noticing: signed in again, sent under a fresh msgid, settled', async () => {
    const first = await sell(r, RESIDENTS[30]!, items([4, 1]));
    expect(first.sale.state).toBe('settled');
    // Between the pre-settlement and the settlement: the worst moment for the money path.
    sim.faults.add({ kind: 'sign-in-expiry', count: 1, infnos: ['2102'] });
    const second = await sell(r, RESIDENTS[31]!, items([4, 1]));
    expect(second.sale.state).toBe('settled');
    const j = r.outbox.journalFor(second.sale.itemId);
    expect(j.map((x) => x.outcome)).toEqual(['not-applied', 'ok']);
    expect(j[0]!.detail).toBe('sign-in expired');
    expect(settled2102(RESIDENTS[31]!.psnNo, code()).n).toBe(1);
  });

  it('a sign-in that fails is a transport outcome: the sale waits to settle, it is not refused', async () => {
    const p = RESIDENTS[32]!;
    r.pharmacy.counter.openShift('收银员01');
    r.customer(p);
    const q = await r.pharmacy.counter.quote(items([4, 1]), true);
    sim.expireSignIns();
    sim.faults.add({ kind: 'http-5xx', count: 3, infnos: ['9001'] });
    const sale = await pay(q.quoteId);
    expect(sale.state).toBe('pending-offline');
    expect(sale.reason).toMatch(/PLATFORM_SIGNIN_FAILED|PLATFORM_UNREACHABLE/);
    sim.faults.clear();
    await waitUntil(async () => {
      await r.drainer.drainOnce();
      return r.pharmacy.counter.sales.find(q.quoteId)!.state === 'settled';
    });
    expect(settled2102(p.psnNo, code()).n).toBe(1);
  });
});

describe('after a crash', () => {
  it('a sale whose refund was made but not yet recorded on the sale is refunded after restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-counter-'));
    const opts = { file: path.join(dir, 'estation.sqlite'), keyFile: path.join(dir, 'store.key') };
    await r.close();
    r = rig(sim.url, opts);
    const { sale } = await sell(r, RESIDENTS[33]!, items([4, 1]));
    await r.pharmacy.counter.refund(sale.saleId, 'duplicate-charge', undefined);
    // The process died between the refund's outcome and the sale's state.
    r.db.prepare("UPDATE pharmacy_sale SET state = 'refunding' WHERE sale_id = ?").run(sale.saleId);
    await r.close();
    r = rig(sim.url, opts);
    expect(r.pharmacy.counter.sales.find(sale.saleId)!.state).toBe('refunded');
  });
});
