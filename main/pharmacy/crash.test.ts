/**
 * Crash safety: hundreds of sales at the counter against the simulator with faults on, refunds and
 * expired quotes in the mix, the process killed with SIGKILL at random instants many times,
 * restarted, drained and reconciled. Every accepted sale must end settled exactly once at the
 * platform (and every refund made once), none lost, none duplicated, balances right.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { RESIDENTS } from '../../fixtures/people/residents';
import { beijingDate } from '../platform/envelope';
import { rig } from './testing/rig';
import type { SettlementResult } from './settlement';

const root = path.resolve(import.meta.dirname, '../..');
const worker = path.join(root, 'main/pharmacy/testing/crash-worker.ts');
const TARGET = Number(process.env.CRASH_SALES ?? 400);
const MIN_KILLS = Number(process.env.CRASH_KILLS ?? 20);

let sim: PlatformSimulator;
let dir: string;
beforeAll(async () => {
  sim = await startPlatformSimulator();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-crash-'));
});
afterAll(async () => {
  await sim?.close();
});

function runWorker(args: string[], killAfterMs: number | null): Promise<{ code: number | null; signal: string | null; lines: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let err = '';
    child.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code && code !== 0) lines.push(`stderr: ${err}`);
      resolve({ code, signal, lines });
    });
  });
}

describe('crash safety under SIGKILL', () => {
  it(`takes ${TARGET} checkouts through at least ${MIN_KILLS} SIGKILLs at random instants with faults on, and settles each exactly once`, async () => {
    const db = path.join(dir, 'estation.sqlite');
    const key = path.join(dir, 'store.key');
    const code = 'P44030399999';
    const args = ['--db', db, '--key', key, '--sim', sim.url, '--fixmedins', code, '--count', String(TARGET)];
    sim.faults.setSeed(20261124);
    sim.faults.add({ kind: 'drop-after', probability: 0.08, infnos: ['2102', '2601'] });
    sim.faults.add({ kind: 'drop-before', probability: 0.04 });
    sim.faults.add({ kind: 'infcode-1', probability: 0.04, infnos: ['2102'] });
    sim.faults.add({ kind: 'http-5xx', probability: 0.03 });
    let seed = 7;
    const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 0x100000000;
    // A little latency so that kills land in the middle of the work, not between runs.
    sim.faults.latencyMs = 4;
    const sold = () => (sim.db.prepare("SELECT COUNT(DISTINCT msgid) AS n FROM msg_log WHERE infno = '2102'").get() as { n: number }).n;
    let killed = 0;
    for (let k = 0; k < 200 && (killed < MIN_KILLS || sold() < TARGET); k++) {
      const r = await runWorker(args, 400 + Math.floor(rnd() * 900));
      if (r.signal === 'SIGKILL') killed++;
      else break;
      expect(r.lines.filter((l) => l.startsWith('stderr'))).toEqual([]);
    }
    // Run to the end without kills, then again with the faults off, and drain.
    await runWorker(args, null);
    sim.faults.clear();
    const drained = await runWorker([...args, '--drain-only'], null);
    expect(drained.lines.at(-1)).toContain('"pending":0');

    const r = rig(sim.url, { file: db, keyFile: key, fixmedinsCode: code });
    try {
      const sales = r.db.prepare('SELECT sale_id, item_id, state FROM pharmacy_sale WHERE item_id IS NOT NULL').all() as {
        sale_id: string;
        item_id: string;
        state: string;
      }[];
      expect(sales.length).toBe(TARGET);
      const items = sales.map((s) => r.outbox.get<unknown, SettlementResult>(s.item_id));
      // Settled once; a sale whose settlement came out dearer than its quote waits for the cashier to collect the difference.
      expect(
        items
          .filter((i) => !(i.state === 'done' || (i.state === 'needs-attention' && i.reason === 'COLLECT_DIFFERENCE' && i.result?.setlId)))
          .map((i) => `${i.state} ${i.reason}`),
      ).toEqual([]);
      // Every refund asked for was made, once; the sale says so.
      const refunds = r.db.prepare('SELECT sale_id, item_id FROM pharmacy_refund').all() as { sale_id: string; item_id: string }[];
      expect(refunds.map((x) => r.outbox.get(x.item_id).state).filter((st) => st !== 'done')).toEqual([]);
      expect(new Set(refunds.map((x) => x.sale_id)).size).toBe(refunds.length);
      const refunded = new Set(refunds.map((x) => x.sale_id));
      expect(
        sales
          .filter((s) => refunded.has(s.sale_id) && s.state !== 'refunded')
          .map(
            (s) => `${s.state} ${JSON.stringify(r.outbox.journalFor(refunds.find((x) => x.sale_id === s.sale_id)!.item_id).map((j) => [j.infno, j.outcome]))}`,
          ),
      ).toEqual([]);
      expect(sales.filter((s) => !refunded.has(s.sale_id) && s.state !== 'settled' && s.state !== 'needs-attention').map((s) => s.state)).toEqual([]);
      // Expired quotes were refused and never reached the platform.
      const expired = (r.db.prepare("SELECT COUNT(*) AS n FROM pharmacy_sale WHERE state = 'expired'").get() as { n: number }).n;
      expect(expired).toBeGreaterThanOrEqual(Math.floor(TARGET / 13) - 2);

      // The platform holds exactly one settlement per accepted sale, under the msgid the terminal recorded;
      // the refunded ones are cancelled there, each by exactly one refund row.
      const atCentre = sim.db
        .prepare("SELECT msgid, setl_id, state FROM settlement WHERE fixmedins_code = ? AND infno = '2102' AND state IN ('settled', 'cancelled')")
        .all(code) as { msgid: string; setl_id: string; state: string }[];
      expect(atCentre.length).toBe(sales.length);
      expect(new Set(atCentre.map((l) => l.msgid))).toEqual(new Set(items.map((i) => i.result!.msgid)));
      expect(new Set(atCentre.map((l) => l.setl_id))).toEqual(new Set(items.map((i) => i.result!.setlId)));
      const refundedSetl = new Set(sales.filter((s) => refunded.has(s.sale_id)).map((s) => r.outbox.get<unknown, SettlementResult>(s.item_id).result!.setlId));
      expect(new Set(atCentre.filter((l) => l.state === 'cancelled').map((l) => l.setl_id))).toEqual(refundedSetl);
      const refundRows = sim.db.prepare("SELECT COUNT(*) AS n FROM settlement WHERE fixmedins_code = ? AND infno = '2103' AND state = 'settled'").get(code) as {
        n: number;
      };
      expect(refundRows.n).toBe(refunds.length);
      // Reversed settlements are undone at the platform; the journal records every one of them.
      const reversed = sim.db.prepare("SELECT msgid FROM settlement WHERE fixmedins_code = ? AND state = 'reversed'").all(code) as { msgid: string }[];
      for (const x of reversed) expect(r.outbox.journalByMsgid(x.msgid)?.outcome).toBe('reversed');
      // The faults and kills really did leave outcomes unknown that had to be reversed.
      expect(reversed.length).toBeGreaterThan(0);
      const notApplied = r.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE outcome = 'not-applied'").get() as { n: number };
      expect(reversed.length + notApplied.n).toBeGreaterThan(5);

      // Balances: seed balance minus every live settlement's account debits.
      const debits = new Map<string, number>();
      for (const row of sim.db.prepare("SELECT debits FROM settlement WHERE state = 'settled' AND refd_setl_flag = '0'").all() as { debits: string }[]) {
        for (const d of JSON.parse(row.debits) as { psn_no: string; amount: number }[]) debits.set(d.psn_no, (debits.get(d.psn_no) ?? 0) + d.amount);
      }
      for (const p of RESIDENTS) {
        const now = (sim.db.prepare('SELECT balance FROM person WHERE psn_no = ?').get(p.psnNo) as { balance: number }).balance;
        expect(now, p.name).toBe(p.balance - (debits.get(p.psnNo) ?? 0));
      }

      const report = await r.reconciler.reconcile(beijingDate(Date.now()));
      expect(report.error).toBeNull();
      expect(report.totals.every((t) => t.result === '0')).toBe(true);
      expect(report.detail!.matched).toBe(TARGET + refunds.length);
      expect(report.detail!.reported).toEqual([]);
      // Refunds really were in the mix (every ninth sale asks for one; a kill or a fault skips some).
      expect(refunds.length).toBeGreaterThanOrEqual(Math.floor(TARGET / 18));
      expect(killed).toBeGreaterThanOrEqual(MIN_KILLS);
    } finally {
      await r.close();
    }
  }, 600_000);
});
