/**
 * 家庭共济 at the counter, against the simulated platform over real HTTP: a granddaughter's
 * medicine paid from her grandfather's personal account once he has proven himself at the counter
 * and agreed to the amount; refused for an owner who has not bound her, while the platform is away,
 * and without his confirmation. The platform's balances are the judge, and a refund gives the
 * money back to his account.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { residentByName, RESIDENTS, type SeedPerson } from '../../fixtures/people/residents';
import { CATALOGUE } from '../../fixtures/platform/catalogue';
import { readReceipts } from '../../drivers/printer/parser';
import { waitUntil } from '../ground/wait';
import { rig, type Rig } from './testing/rig';

let sim: PlatformSimulator;
let r: Rig;
beforeAll(async () => {
  sim = await startPlatformSimulator();
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  await sim.setReachable(true);
  r = rig(sim.url);
});
afterEach(async () => {
  await r.close();
});

const wang = residentByName('王建国'); // 310, bound his granddaughter (孙子女) for 家庭共济
const granddaughter = RESIDENTS.find((p) => p.psnNo === wang.mutualAid![0]!.psnNo)!; // 390, no account of her own
const balance = (psnNo: string) => (sim.db.prepare('SELECT balance FROM person WHERE psn_no = ?').get(psnNo) as { balance: number }).balance;
const idOf = (p: SeedPerson) => ({ certType: '02' as const, certNo: p.idNumber, cardSn: null, idNumber: p.idNumber, name: p.name });
const basket = [{ listCode: CATALOGUE.find((d) => d.name.startsWith('板蓝根'))!.hilistCode, quantity: 2 }];

async function ownerPresents(owner: SeedPerson) {
  await r.pharmacy.counter.awaitOwner();
  expect(r.pharmacy.counter.offerOwner(idOf(owner))).toBe(true);
  await waitUntil(
    () => {
      const s = r.pharmacy.counter.ownerStatus();
      return s.owner !== null || s.error !== null;
    },
    { what: 'the owner to be checked with the platform' },
  );
  return r.pharmacy.counter.ownerStatus();
}

describe('家庭共济 at the counter', () => {
  it('charges the granddaughter’s share to her grandfather’s account after he agrees, prints 共济支付, and a refund gives it back', async () => {
    r.pharmacy.counter.openShift('收银员01');
    r.customer(granddaughter);
    // While waiting, his own card is taken as the owner's, not as a new customer; hers is not taken.
    await r.pharmacy.counter.awaitOwner();
    expect(r.pharmacy.counter.offerOwner(idOf(granddaughter))).toBe(false);
    r.pharmacy.counter.cancelOwner();
    const status = await ownerPresents(wang);
    expect(status).toEqual({ waiting: false, owner: { maskedName: '王*国', maskedNo: '320***********1234' }, error: null });
    expect(r.session.current?.idNumber).toBe(granddaughter.idNumber);

    const before = balance(wang.psnNo);
    const q = await r.pharmacy.counter.quote(basket, true);
    expect(q.mode).toBe('online');
    expect(q.split.mulaid).toBeGreaterThan(0);
    expect(q.split.acct).toBe(0);
    expect(q.split.fund + q.split.mulaid + q.split.cash).toBe(q.split.medfee);
    expect(q.tiers.find((t) => t.key === 'mutualAid')?.amount).toBe(q.split.mulaid);
    // Not without his agreement, whoever asks.
    await expect(r.pharmacy.counter.pay(q.quoteId, { cashierConfirmed: true, customerConfirmed: true })).rejects.toMatchObject({
      code: 'CHECKOUT_OWNER_NOT_CONFIRMED',
    });
    expect(balance(wang.psnNo)).toBe(before);
    const sale = await r.pharmacy.counter.pay(q.quoteId, { cashierConfirmed: true, customerConfirmed: true, ownerConfirmed: true });
    expect(sale.state).toBe('settled');
    expect(balance(wang.psnNo)).toBe(before - q.split.mulaid);
    const paper = readReceipts(r.printed.get(sale.receiptJobId!)!)[0]!.lines.join('\n');
    expect(paper).toMatch(new RegExp(`共济支付（王\\*国账户）\\s+￥${(q.split.mulaid / 100).toFixed(2)}`));

    const refund = await r.pharmacy.counter.refund(sale.saleId, 'customer-return', undefined);
    expect(refund.state).toBe('done');
    expect(r.pharmacy.counter.sales.find(sale.saleId)!.state).toBe('refunded');
    expect(balance(wang.psnNo)).toBe(before);
  });

  it('refuses an account owner who has not bound the customer, 共济 while the platform is away, and a quote while the owner is still awaited', async () => {
    r.pharmacy.counter.openShift('收银员01');
    r.customer(granddaughter);
    const stranger = RESIDENTS.find((p) => p.insutype === '310' && p.psnNo !== wang.psnNo && !p.mutualAid)!;
    expect(await ownerPresents(stranger)).toMatchObject({ owner: null, error: 'MUTUAL_AID_NOT_BOUND' });
    await r.pharmacy.counter.awaitOwner();
    await expect(r.pharmacy.counter.quote(basket, true)).rejects.toMatchObject({ code: 'MUTUAL_AID_OWNER_PENDING' });
    r.pharmacy.counter.cancelOwner();
    await ownerPresents(wang);
    r.setOnline(false);
    await expect(r.pharmacy.counter.quote(basket, true)).rejects.toMatchObject({ code: 'CHECKOUT_MUTUAL_AID_OFFLINE' });
  });
});
