/**
 * A working day without the platform: the pharmacy keeps selling under its limits, breaches are
 * refused with a clear code, and when the platform comes back the queue settles and reconciles.
 */
import { SETTLEMENT_KIND } from './delivery';
import { AUDIT_FEEDBACK_KIND } from './audit/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { RESIDENTS } from '../../fixtures/people/residents';
import { beijingDate } from '../platform/envelope';
import { items, rig, sell, type Rig } from './testing/rig';
import { BridgeError } from '../bridge/contract/errors';
import { waitUntil } from '../ground/wait';

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
      r.checkout.rememberPerson({
        psnNo: p.psnNo,
        insutype: ins.insutype as '310' | '390',
        insuplcAdmdvs: ins.insuplc_admdvs,
        balance: ins.balc,
        assistance: p.assistance,
        certNo: p.idNumber,
      });
    }
    await sim.setReachable(false);
    r.setOnline(false);
    const refused: Record<string, number> = {};
    let accepted = 0;
    for (let i = 0; i < 120; i++) {
      const p = people[i % people.length]!;
      const basketItems = i % 17 === 0 ? items([11, 3]) : items([i % 18, 1 + (i % 2)]);
      try {
        const { quote, sale } = await sell(r, p, basketItems);
        expect(quote.mode).toBe('offline');
        expect(quote.split.medfee).toBe(quote.split.fund + quote.split.acct + quote.split.mulaid + quote.split.cash);
        expect(sale.state).toBe('pending-offline');
        accepted++;
      } catch (err) {
        expect(err).toBeInstanceOf(BridgeError);
        const code = (err as BridgeError).code;
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
    await waitUntil(
      async () => {
        await r.drainer.drainOnce();
        return r.outbox.counts().pending === 0;
      },
      { timeoutMs: 60_000, what: 'the offline queue to settle' },
    );
    const c = r.outbox.counts();
    expect(c.pending + c.unknown + c.sending).toBe(0);
    // Done, or waiting for the cashier to collect a difference: nothing lost, nothing refused.
    const settlements = r.outbox.list({ kind: SETTLEMENT_KIND });
    expect(settlements.filter((i) => i.state === 'done' || i.state === 'needs-attention')).toHaveLength(accepted);
    // The platform audited the day's sales again as they arrived, and heard back on each finding.
    const feedback = r.outbox.list({ kind: AUDIT_FEEDBACK_KIND });
    expect(feedback.every((i) => i.state === 'done')).toBe(true);
    expect(c.done + c['needs-attention']).toBe(accepted + feedback.length);
    expect(r.outbox.list({ states: ['needs-attention'] }).every((i) => i.reason === 'COLLECT_DIFFERENCE')).toBe(true);
    const report = await r.reconciler.reconcile(beijingDate(Date.now()));
    expect(report.error).toBeNull();
    expect(report.detail!.matched).toBe(accepted);
    expect(report.detail!.reported).toEqual([]);
    expect(report.totals.every((t) => t.result === '0')).toBe(true);
  }, 120_000);
});
