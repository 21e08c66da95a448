/**
 * 事中审核 at the counter, against the simulated platform over real HTTP: what the platform finds
 * stops or holds the sale in main (whatever the screen does), a reason lets a warning through and
 * reaches the platform's 3103 record, a changed basket tells the platform 返回修改, and an
 * offline sale is audited by the local copy and again by the platform when it is delivered.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../../fixtures/platform/server';
import { CATALOGUE } from '../../../fixtures/platform/catalogue';
import { residentByName } from '../../../fixtures/people/residents';
import { rig, sell, TEST_RX, type Rig } from '../testing/rig';
import { clientFor } from '../../platform/testing';
import { fen } from '../../bridge/contract/money';
import { settleInput } from '../settlement';

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

const code = (name: string) => CATALOGUE.find((d) => d.name.startsWith(name))!.hilistCode;
const feedback = () =>
  sim.db.prepare('SELECT f.dspo_way, f.dspo_way_rea, a.rule_id FROM audit_feedback f JOIN audit_result a ON a.jr_id = f.jr_id ORDER BY a.rule_id').all() as {
    dspo_way: string;
    dspo_way_rea: string | null;
    rule_id: string;
  }[];
const settlements = (psnNo: string) =>
  (sim.db.prepare("SELECT COUNT(*) AS n FROM settlement WHERE psn_no = ? AND infno = '2102' AND state = 'settled'").get(psnNo) as { n: number }).n;

describe('事中审核 at the counter', () => {
  it('a 保健品, a 限女性 drug for a man and a repeat purchase: three warnings, the sale held in main until the basket changes and the warning is answered', async () => {
    const wang = residentByName('王建国'); // male, born 1950
    sim.db.exec('DELETE FROM audit_feedback; DELETE FROM audit_result;');
    // A month's 硝苯地平 bought ten days ago, at this counter.
    await sell(r, wang, [{ listCode: code('硝苯地平'), quantity: 1 }]);
    sim.db.prepare("UPDATE settlement SET setl_time = datetime(setl_time, '-10 days') WHERE psn_no = ? AND infno = '2102'").run(wang.psnNo);
    const before = settlements(wang.psnNo);

    const basket = [
      { listCode: code('维生素C'), quantity: 1 },
      { listCode: code('妇科千金片'), quantity: 1 },
      { listCode: code('硝苯地平'), quantity: 1 },
    ];
    const q1 = await r.pharmacy.counter.quote(basket, true, TEST_RX);
    expect(q1.audit.source).toBe('platform');
    expect(q1.audit.warnings.map((w) => [w.ruleName, w.severity]).sort()).toEqual([
      ['重复用药', 'warn'],
      ['限性别用药', 'block'],
      ['非医保目录药品或保健品', 'block'],
    ]);
    expect(q1.audit.warnings.find((w) => w.ruleId === 'YP0001')!.amount).toBe(CATALOGUE.find((d) => d.name.startsWith('维生素C'))!.price);
    expect(q1.audit.blocked).toBe(true);
    // Main holds the sale whoever asks: no pay, and a blocking warning cannot be talked past.
    await expect(r.pharmacy.counter.pay(q1.quoteId, { cashierConfirmed: true, customerConfirmed: true })).rejects.toMatchObject({ code: 'AUDIT_BLOCKED' });
    const blocking = q1.audit.warnings.find((w) => w.severity === 'block')!;
    expect(() => r.pharmacy.counter.auditOverride(q1.quoteId, [{ warningId: blocking.warningId, reason: '顾客坚持要买' }])).toThrow(
      expect.objectContaining({ code: 'AUDIT_BLOCKED' }),
    );

    // The cashier takes the two off the basket: the new quote has only the repeat warning.
    const q2 = await r.pharmacy.counter.quote([{ listCode: code('硝苯地平'), quantity: 1 }], true, TEST_RX);
    expect(q2.audit.warnings.map((w) => w.ruleName)).toEqual(['重复用药']);
    expect(q2.audit).toMatchObject({ blocked: false, open: 1 });
    await expect(r.pharmacy.counter.pay(q2.quoteId, { cashierConfirmed: true, customerConfirmed: true })).rejects.toMatchObject({
      code: 'AUDIT_REASON_REQUIRED',
    });
    const warn = q2.audit.warnings[0]!;
    for (const bad of ['', '  ', '不要', 'x'.repeat(501), '理由\u0007含控制符'])
      expect(() => r.pharmacy.counter.auditOverride(q2.quoteId, [{ warningId: warn.warningId, reason: bad }])).toThrow(
        expect.objectContaining({ code: 'AUDIT_REASON_INVALID' }),
      );
    const reason = '上次的药不慎遗失，顾客出示处方，核对后继续';
    expect(r.pharmacy.counter.auditOverride(q2.quoteId, [{ warningId: warn.warningId, reason }])).toMatchObject({ open: 0 });
    // The same answer again changes nothing; another one is refused.
    expect(r.pharmacy.counter.auditOverride(q2.quoteId, [{ warningId: warn.warningId, reason }])).toMatchObject({ open: 0 });
    expect(() => r.pharmacy.counter.auditOverride(q2.quoteId, [{ warningId: warn.warningId, reason: '另一个理由写在这里' }])).toThrow(
      expect.objectContaining({ code: 'AUDIT_ALREADY_DECIDED' }),
    );
    const sale = await r.pharmacy.counter.pay(q2.quoteId, { cashierConfirmed: true, customerConfirmed: true });
    expect(sale.state).toBe('settled');
    expect(settlements(wang.psnNo)).toBe(before + 1);
    await r.drainer.drainOnce();

    // The platform heard both: the first basket's warnings went back to be changed (2), the repeat went on with the reason (1).
    expect(feedback()).toEqual([
      { rule_id: 'YP0001', dspo_way: '2', dspo_way_rea: null },
      { rule_id: 'YP0002', dspo_way: '2', dspo_way_rea: null },
      { rule_id: 'YP0004', dspo_way: '2', dspo_way_rea: null },
      { rule_id: 'YP0004', dspo_way: '1', dspo_way_rea: reason },
    ]);
    // The shift report keeps the audit and the reason.
    const report = r.pharmacy.counter.closeShift();
    expect(report.audit).toMatchObject({ warnings: 4, blocked: 2, redelivery: 0 });
    expect(report.audit.overridden).toEqual([expect.objectContaining({ ruleName: '重复用药', reason })]);
  });

  it('offline, the local copy audits (a 保健品 still stops the sale); on delivery the platform audits again and hears the sale was made', async () => {
    const zhang = residentByName('张德福'); // female, 440305196903071043
    sim.db.exec('DELETE FROM audit_feedback; DELETE FROM audit_result;');
    r.setOnline(false);
    r.customer(zhang);
    r.pharmacy.counter.openShift('收银员01');
    const blocked = await r.pharmacy.counter.quote([{ listCode: code('维生素C'), quantity: 1 }], true);
    expect(blocked.audit).toMatchObject({ source: 'local', blocked: true });
    // Three months of 卡托普利 in one go: too much for one purchase, answered with a reason.
    const q = await r.pharmacy.counter.quote([{ listCode: code('卡托普利'), quantity: 1 }], true, TEST_RX);
    expect(q.mode).toBe('offline');
    expect(q.audit.warnings.map((w) => [w.ruleName, w.source])).toEqual([['超限定支付疗程', 'local']]);
    r.pharmacy.counter.auditOverride(q.quoteId, [{ warningId: q.audit.warnings[0]!.warningId, reason: '顾客外出一个多月，按处方量配药' }]);
    const sale = await r.pharmacy.counter.pay(q.quoteId, { cashierConfirmed: true, customerConfirmed: true });
    expect(sale.state).toBe('pending-offline');
    // Nothing was sent to the platform while it was away; local findings are never reported as platform ones.
    expect(feedback()).toEqual([]);

    r.setOnline(true);
    await r.drainer.drainOnce();
    await r.drainer.drainOnce();
    expect(r.pharmacy.counter.sales.find(q.quoteId)!.state).toBe('settled');
    const kept = r.pharmacy.counter.audit.warnings(q.quoteId);
    expect(kept.map((w) => [w.ruleName, w.source])).toEqual([
      ['超限定支付疗程', 'local'],
      ['超限定支付疗程', 'redelivery'],
    ]);
    expect(feedback()).toEqual([{ rule_id: 'YP0005', dspo_way: '1', dspo_way_rea: expect.stringContaining('离线销售已完成') }]);
    // Delivered once, re-audited once: a second drain adds nothing.
    await r.drainer.drainOnce();
    expect(r.pharmacy.counter.audit.warnings(q.quoteId)).toHaveLength(2);
  });

  it('回流药: a box whose 追溯码 was settled is stopped for the next customer, at the counter and at the platform; after a refund it may be sold again', async () => {
    const first = residentByName('陈立新');
    const second = residentByName('杨淑珍');
    const amox = code('阿莫西林');
    const box = '81234567890123456789';
    const { sale } = await sell(r, first, [{ listCode: amox, quantity: 1, traceCodes: [box] }]);
    expect(sale.state).toBe('settled');
    expect(sim.db.prepare('SELECT psn_no, freed FROM drug_trace WHERE code = ?').get(box)).toEqual({ psn_no: first.psnNo, freed: 0 });
    // A trace code twice in one basket, or a malformed one, is refused in main before anything is asked.
    await expect(r.pharmacy.counter.quote([{ listCode: amox, quantity: 2, traceCodes: [box, box] }], true, TEST_RX)).rejects.toMatchObject({
      code: 'CHECKOUT_TRACE_CODES',
    });

    r.customer(second);
    const q = await r.pharmacy.counter.quote([{ listCode: amox, quantity: 1, traceCodes: [box] }], true, TEST_RX);
    expect(q.audit.warnings.map((w) => [w.ruleName, w.severity])).toEqual([['追溯码重复（疑似回流药）', 'block']]);
    await expect(r.pharmacy.counter.pay(q.quoteId, { cashierConfirmed: true, customerConfirmed: true })).rejects.toMatchObject({ code: 'AUDIT_BLOCKED' });

    // The first customer brings the box back: the refund frees its code.
    r.customer(first);
    await r.pharmacy.counter.refund(sale.saleId, 'customer-return', undefined);
    r.customer(second);
    const again = await r.pharmacy.counter.quote([{ listCode: amox, quantity: 1, traceCodes: [box] }], true, TEST_RX);
    expect(again.audit.warnings).toEqual([]);
    expect((await r.pharmacy.counter.pay(again.quoteId, { cashierConfirmed: true, customerConfirmed: true })).state).toBe('settled');
  });

  it('the platform refuses to settle a box twice even when no audit was asked (2102 with a settled 追溯码)', async () => {
    const p = residentByName('孙秀珍');
    const box = '89999999999999999999';
    const line = { feedetlSn: '1', listCode: code('阿莫西林'), name: '阿莫西林胶囊', unitPrice: fen(1250), quantityMilli: 1000, traceCodes: [box] };
    const payload = (id: string) => ({
      checkoutId: id,
      person: { psnNo: p.psnNo, certType: '02' as const, certNo: p.idNumber, insutype: p.insutype, insuplcAdmdvs: p.insuplcAdmdvs },
      lines: [line],
      medType: '41' as const,
      useAccount: false,
      deferred: null,
      offline: false,
    });
    const c = clientFor(sim.url);
    expect(await c.send('2102', settleInput(payload('a'), Date.now()), { insuplcAdmdvs: p.insuplcAdmdvs })).toMatchObject({ kind: 'ok' });
    expect(await c.send('2102', settleInput(payload('b'), Date.now()), { insuplcAdmdvs: p.insuplcAdmdvs })).toMatchObject({
      kind: 'business-error',
      message: `追溯码 ${box} 已在医保结算过，疑似回流药`,
    });
  });
});
