/**
 * The outbox against the simulator on loopback: exactly-once settlement through timeouts,
 * dropped replies and restarts; offline checkout under limits; tampering; reconciliation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { RESIDENTS, residentByName } from '../../fixtures/people/residents';
import { beijingDate } from '../platform/envelope';
import { basket, items, personOf, rig, sell, type Rig } from './testing/rig';
import { waitUntil } from '../ground/wait';
import type { SettlementPayload, SettlementResult } from './settlement';

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
});

const live = (psnNo: string) =>
  sim.db.prepare("SELECT COUNT(*) AS n FROM settlement WHERE psn_no = ? AND infno = '2102' AND state = 'settled'").get(psnNo) as { n: number };
const balance = (psnNo: string) => (sim.db.prepare('SELECT balance FROM person WHERE psn_no = ?').get(psnNo) as { balance: number }).balance;

describe('online checkout through the outbox', () => {
  beforeAll(() => {
    r = rig(sim.url);
  });
  afterAll(() => r.close());

  it('writes the sale and the outbox item in one transaction before any network I/O', () => {
    const p = personOf(RESIDENTS[5]!);
    expect(() =>
      r.outbox.enqueue('pharmacy-settlement', p.psnNo, { x: 1 }, () => {
        throw new Error('record failed');
      }),
    ).toThrow('record failed');
    expect(r.outbox.list()).toHaveLength(0);
  });

  it('王建国 buys two medicines: pre-settled, settled once, journalled', async () => {
    const wang = residentByName('王建国');
    const before = balance(wang.psnNo);
    const lines = basket([0, 1], [1, 2]);
    const q = await r.checkout.quote(personOf(wang), lines, true);
    expect(q.mode).toBe('online');
    const item = await r.settle(personOf(wang), lines, true, q);
    expect(item.state).toBe('done');
    expect(item.result!.split.medfee).toBe(q.split.medfee);
    expect(before - balance(wang.psnNo)).toBe(item.result!.split.acct);
    const j = r.outbox.journalFor(item.itemId);
    expect(j.map((x) => [x.infno, x.outcome, x.setl_id])).toEqual([['2102', 'ok', item.result!.setlId]]);
  });

  it('a reply lost after the platform committed: reversed with 2601, redone with a fresh msgid, applied once', async () => {
    const p = RESIDENTS[7]!;
    const n = live(p.psnNo).n;
    const before = balance(p.psnNo);
    sim.faults.add({ kind: 'drop-after', count: 1, infnos: ['2102'] });
    const lines = basket([2, 1]);
    const item = await r.settle(personOf(p), lines, true, await r.checkout.quote(personOf(p), lines, true));
    // The drainer does not stop at unknown: it reverses and redoes in the same pass.
    const done = r.outbox.get<SettlementPayload, SettlementResult>(item.itemId);
    expect(done.state).toBe('done');
    const j = r.outbox.journalFor(item.itemId);
    expect(j.map((x) => x.outcome)).toEqual(['reversed', 'ok']);
    expect(new Set(j.map((x) => x.msgid)).size).toBe(2);
    expect(live(p.psnNo).n).toBe(n + 1);
    expect(before - balance(p.psnNo)).toBe(done.result!.split.acct);
  });

  it('while a settlement is unknown, the same person’s next one waits; other people go ahead', async () => {
    const a = RESIDENTS[9]!;
    const b = RESIDENTS[10]!;
    sim.faults.add({ kind: 'infcode-1', count: 1, infnos: ['2102'] });
    // The reversal cannot reach the platform for a while.
    sim.faults.add({ kind: 'http-5xx', count: 2, infnos: ['2601'] });
    const first = await r.settle(personOf(a), basket([4, 1]), true, await r.checkout.quote(personOf(a), basket([4, 1]), true));
    expect(first.state).toBe('unknown');
    const second = r.outbox.enqueue('pharmacy-settlement', a.psnNo, { ...first.payload, checkoutId: 'second' });
    const other = await r.settle(personOf(b), basket([4, 1]), true, await r.checkout.quote(personOf(b), basket([4, 1]), true));
    expect(other.state).toBe('done');
    expect(r.outbox.due(Date.now() + 1e9).map((i) => i.itemId)).not.toContain(second.itemId);
    await waitUntil(async () => {
      await r.drainer.drainOnce();
      return r.outbox.get(second.itemId).state === 'done';
    });
    expect(r.outbox.get(first.itemId).state).toBe('done');
    expect(r.outbox.get(second.itemId).state).toBe('done');
  });

  it('an item found "sending" after a restart is treated as unknown, reversed (or found never applied), and redone', async () => {
    const p = RESIDENTS[11]!;
    const payload: SettlementPayload = {
      checkoutId: 'crash',
      person: personOf(p),
      lines: basket([5, 1]),
      medType: '41',
      useAccount: true,
      deferred: null,
      offline: false,
    };
    const item = r.outbox.enqueue('pharmacy-settlement', p.psnNo, payload);
    // The process died right after journalling the msgid, before sending it.
    r.outbox.db.transaction(() => {
      r.outbox.journalSend(r.client.nextMsgid(), item.itemId, '2102', p.psnNo);
      r.outbox.update(item.itemId, { state: 'sending' });
    })();
    await r.drainer.drainOnce();
    expect(r.outbox.get(item.itemId).state).toBe('done');
    expect(r.outbox.journalFor(item.itemId).map((j) => j.outcome)).toEqual(['not-applied', 'ok']);
  });

  it('a refusal (infcode -2) is final: failed-business, nothing applied', async () => {
    const p = RESIDENTS[12]!;
    const bad = basket([0, 1]);
    bad[0]!.listCode = 'XX00000000000000000000';
    const item = await r.settle(personOf(p), bad, true, {
      mode: 'online',
      split: { medfee: 1250, fund: 0, hifp: 0, hifmi: 0, hifob: 0, maf: 0, acct: 0, mulaid: 0, cash: 1250, balance: null } as never,
    });
    expect(item).toMatchObject({ state: 'failed-business', reason: expect.stringContaining('目录编码') });
  });

  it('a row edited in the file is never sent: it goes to needs-attention', async () => {
    const p = RESIDENTS[13]!;
    const item = r.outbox.enqueue('pharmacy-settlement', p.psnNo, {
      checkoutId: 't',
      person: personOf(p),
      lines: basket([0, 1]),
      medType: '41',
      useAccount: true,
      deferred: null,
      offline: false,
    });
    // Someone with the file but not the key moves the sale to another person.
    r.db.prepare('UPDATE outbox SET psn_key = ? WHERE item_id = ?').run(RESIDENTS[14]!.psnNo, item.itemId);
    expect(r.outbox.verifyAll()).toEqual([`outbox:${item.itemId}`]);
    await r.drainer.drainOnce();
    expect(r.outbox.list().find((i) => i.itemId === item.itemId)).toMatchObject({ state: 'needs-attention', reason: 'OUTBOX_TAMPERED' });
    expect(live(p.psnNo).n).toBe(0);
  });
});

describe('offline checkout (先就医后结算)', () => {
  let o: Rig;
  beforeAll(() => {
    o = rig(sim.url, { offline: { maxPerTransaction: 30_000, maxPerPersonPerDay: 40_000, maxTerminalExposure: 60_000 }, timeoutMs: 1000 });
  });
  afterAll(() => o.close());

  it('estimates with cached data, enforces every limit by name, and settles once the platform returns', async () => {
    const p = RESIDENTS[14]!;
    const counter = o.pharmacy.counter;
    o.checkout.rememberPerson({
      psnNo: p.psnNo,
      insutype: p.insutype,
      insuplcAdmdvs: p.insuplcAdmdvs,
      balance: p.balance,
      assistance: p.assistance,
      certNo: p.idNumber,
    });
    await sim.setReachable(false);
    o.setOnline(false);
    const first = await sell(o, p, items([4, 2]));
    expect(first.quote.mode).toBe('offline');
    expect(first.sale).toMatchObject({ state: 'pending-offline', offline: true });
    await expect(sell(o, p, items([11, 2]))).rejects.toMatchObject({ code: 'OFFLINE_LIMIT_TRANSACTION' });
    await sell(o, p, items([11, 1], [5, 2]));
    await expect(sell(o, p, items([11, 1], [5, 2]))).rejects.toMatchObject({ code: 'OFFLINE_LIMIT_PERSON_DAY' });
    // Nothing reaches the platform while it is away.
    await o.drainer.drainOnce();
    expect(o.outbox.counts().pending).toBe(2);
    await sim.setReachable(true);
    o.setOnline(true);
    await waitUntil(async () => {
      await o.drainer.drainOnce();
      return o.outbox.counts().pending === 0;
    });
    expect(o.outbox.counts()).toMatchObject({ pending: 0, unknown: 0 });
    expect(live(p.psnNo).n).toBe(2);
    expect(counter.sales.find(first.sale.saleId)!.state).toMatch(/^(settled|needs-attention)$/);
  });

  it('a deferred settlement the platform refuses goes to needs-attention with the amount to collect', async () => {
    const p = RESIDENTS[15]!;
    await sim.setReachable(false);
    o.setOnline(false);
    const lines = basket([0, 1]);
    const q = await o.checkout.quote(personOf(p), lines, true);
    const item = await o.settle({ ...personOf(p), certNo: '000000000000000000' }, lines, true, q);
    await sim.setReachable(true);
    o.setOnline(true);
    await waitUntil(async () => {
      await o.drainer.drainOnce();
      return o.outbox.get(item.itemId).state !== 'pending';
    });
    const after = o.outbox.get<SettlementPayload, SettlementResult>(item.itemId);
    expect(after.state).toBe('needs-attention');
    expect(after.reason).toMatch(/PLATFORM_REFUSED/);
    expect(after.result!.collect).toBe(q.split.medfee - q.split.cash);
  });
});

describe('reconciliation', () => {
  it('3201 agrees, 3202 matches every settlement, and a settlement the terminal never heard of is repaired', async () => {
    const c = rig(sim.url);
    try {
      const p = RESIDENTS[16]!;
      const lines = basket([8, 1]);
      await c.settle(personOf(p), lines, true, await c.checkout.quote(personOf(p), lines, true));
      // The reply is lost and the reversal keeps failing: the item stays unknown.
      sim.faults.add({ kind: 'drop-after', count: 1, infnos: ['2102'] });
      sim.faults.add({ kind: 'http-5xx', count: 50, infnos: ['2601'] });
      const lost = await c.settle(personOf(RESIDENTS[17]!), lines, true, await c.checkout.quote(personOf(RESIDENTS[17]!), lines, true));
      expect(lost.state).toBe('unknown');
      sim.faults.clear();
      const report = await c.reconciler.reconcile(beijingDate(Date.now()));
      expect(report.error).toBeNull();
      expect(report.detail!.repaired).toEqual([expect.objectContaining({ action: 'confirmed' })]);
      expect(c.outbox.get(lost.itemId)).toMatchObject({ state: 'done', reason: 'CONFIRMED_BY_RECONCILIATION' });
    } finally {
      await c.close();
    }
  });
});
