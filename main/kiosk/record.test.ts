/**
 * Record changes (filings, family binding, premium orders) through the outbox with lost replies:
 * an unknown outcome is settled by asking the platform, never by sending twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { RESIDENTS } from '../../fixtures/people/residents';
import { outboxRig, type OutboxRig } from '../outbox/testing';
import { registerKioskDeliveries } from '.';
import { RECORD_KIND } from './record';

let sim: PlatformSimulator;
let r: OutboxRig;
beforeAll(async () => {
  sim = await startPlatformSimulator();
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => sim.faults.clear());

describe('record changes with a lost reply (extension transactions)', () => {
  beforeAll(() => {
    r = outboxRig(sim.url);
    registerKioskDeliveries(r.drainer, r.client);
  });
  afterAll(() => r.close());

  it('a family binding whose reply was lost is confirmed by query, not sent twice; an unbinding likewise', async () => {
    const owner = RESIDENTS.find((p) => p.insutype === '310' && p.family.length === 0 && p.name !== '王建国')!;
    const member = RESIDENTS.find((p) => p.insutype === '390' && p !== owner)!;
    const bind = {
      infno: 'X2801' as const,
      input: { data: { psn_no: owner.psnNo, member_cert_type: '01', member_cert_no: member.ecToken, relation: '20' } },
      psnNo: owner.psnNo,
      insuplcAdmdvs: owner.insuplcAdmdvs,
      label: '亲情账户绑定',
      memberCertno: member.idNumber,
    };
    sim.faults.add({ kind: 'drop-after', count: 1, infnos: ['X2801'] });
    const item = r.outbox.enqueue(RECORD_KIND, owner.psnNo, bind);
    const done = await r.drainer.settleNow(item.itemId, 20_000);
    expect(done).toMatchObject({ state: 'done', reason: 'CONFIRMED_BY_QUERY' });
    expect(sim.db.prepare('SELECT COUNT(*) AS n FROM family_link WHERE owner = ? AND member = ?').get(owner.psnNo, member.psnNo)).toEqual({ n: 1 });
    expect(r.outbox.journalFor(item.itemId)).toHaveLength(1);

    sim.faults.add({ kind: 'drop-after', count: 1, infnos: ['X2802'] });
    const un = r.outbox.enqueue(RECORD_KIND, owner.psnNo, {
      infno: 'X2802' as const,
      input: { data: { psn_no: owner.psnNo, member_psn_no: member.psnNo } },
      psnNo: owner.psnNo,
      insuplcAdmdvs: owner.insuplcAdmdvs,
      label: '亲情账户解绑',
    });
    expect(await r.drainer.settleNow(un.itemId, 20_000)).toMatchObject({ state: 'done', reason: 'CONFIRMED_BY_QUERY' });
    expect(sim.db.prepare('SELECT COUNT(*) AS n FROM family_link WHERE owner = ?').get(owner.psnNo)).toEqual({ n: 0 });
  });

  it('a premium order whose reply was lost is found by our order number; one order, not two', async () => {
    const p = RESIDENTS.filter((x) => x.insutype === '390')[1]!;
    sim.faults.add({ kind: 'drop-after', count: 1, infnos: ['X2701'] });
    const item = r.outbox.enqueue(RECORD_KIND, p.psnNo, {
      infno: 'X2701' as const,
      input: { data: { psn_no: p.psnNo, year: '2027', out_order_no: `T${Date.now()}` } },
      psnNo: p.psnNo,
      insuplcAdmdvs: p.insuplcAdmdvs,
      label: '缴费下单',
    });
    expect(await r.drainer.settleNow(item.itemId, 20_000)).toMatchObject({ state: 'done', reason: 'CONFIRMED_BY_QUERY' });
    expect(sim.db.prepare('SELECT COUNT(*) AS n FROM pay_order WHERE psn_no = ?').get(p.psnNo)).toEqual({ n: 1 });
  });
});
