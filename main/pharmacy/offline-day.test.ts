/**
 * A working day without the platform: the pharmacy keeps selling under its limits, breaches are
 * refused with a clear code, and when the platform comes back the queue settles and reconciles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { RESIDENTS } from '../../fixtures/people/residents';
import { beijingDate } from '../platform/envelope';
import { basket, personOf, rig, type Rig } from './testing/rig';
import { CheckoutError } from './checkout';

let sim: PlatformSimulator;
let r: Rig;
beforeAll(async () => {
  sim = await startPlatformSimulator();
  r = rig(sim.url, { offline: { maxPerTransaction: 40_000, maxPerPersonPerDay: 60_000, maxTerminalExposure: 400_000, maxAgeHours: 24 }, timeoutMs: 500 });
});
afterAll(async () => {
  await r?.close();
  await sim?.close();
});

describe('a day offline', () => {
  it('sells 80 checkouts offline, refuses the limit breaches by name, then settles and reconciles every accepted one', async () => {
    const people = RESIDENTS.slice(0, 20);
    // Morning: the platform is there; the terminal caches who it sees.
    for (const p of people) {
      const info = await r.client.query('1101', { data: { mdtrt_cert_type: '02', mdtrt_cert_no: p.idNumber, psn_cert_type: '01' } });
      const ins = info.insuinfo[0]!;
      r.checkout.rememberPerson({ psnNo: p.psnNo, insutype: ins.insutype as '310' | '390', insuplcAdmdvs: ins.insuplc_admdvs, balance: Math.round(ins.balc * 100), assistance: p.assistance });
    }
    await sim.setReachable(false);
    r.setOnline(false);
    const refused: Record<string, number> = {};
    let accepted = 0;
    for (let i = 0; i < 120; i++) {
      const p = people[i % people.length]!;
      const lines = i % 17 === 0 ? basket([11, 3]) : basket([i % 18, 1 + (i % 2)]);
      try {
        const q = await r.checkout.quote(personOf(p), lines, true);
        expect(q.mode).toBe('offline');
        expect(q.split.medfee).toBe(q.split.fund + q.split.acct + q.split.mulaid + q.split.cash);
        await r.checkout.pay(personOf(p), lines, true, q);
        accepted++;
      } catch (err) {
        expect(err).toBeInstanceOf(CheckoutError);
        const code = (err as CheckoutError).code;
        refused[code] = (refused[code] ?? 0) + 1;
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(80);
    expect(Object.keys(refused).sort()).toEqual(['OFFLINE_LIMIT_PERSON_DAY', 'OFFLINE_LIMIT_TRANSACTION']);
    expect(r.outbox.counts().pending).toBe(accepted);
    expect((sim.db.prepare('SELECT COUNT(*) AS n FROM settlement').get() as { n: number }).n).toBe(0);

    // Evening: the platform returns and the queue settles.
    await sim.setReachable(true);
    r.setOnline(true);
    await new Promise((res) => setTimeout(res, 250));
    for (let i = 0; i < 100 && r.outbox.counts().pending; i++) {
      await r.drainer.drainOnce();
      await new Promise((res) => setTimeout(res, 20));
    }
    const c = r.outbox.counts();
    expect(c.pending + c.unknown + c.sending).toBe(0);
    // Done, or waiting for the cashier to collect a difference: nothing lost, nothing refused.
    expect(c.done + c['needs-attention']).toBe(accepted);
    expect(r.outbox.list({ states: ['needs-attention'] }).every((i) => i.reason === 'COLLECT_DIFFERENCE')).toBe(true);
    const report = await r.reconciler.reconcile(beijingDate(Date.now()));
    expect(report.error).toBeNull();
    expect(report.detail!.matched).toBe(accepted);
    expect(report.detail!.reported).toEqual([]);
    expect(report.totals.every((t) => t.result === '0')).toBe(true);
  }, 120_000);
});
