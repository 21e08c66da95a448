/**
 * Face payment's early look-up: while the payer's challenge still runs, the counter reads their
 * record (1101, no money) so it is there when the session ends — and uses it only for that person.
 * The simulator's request count is the judge.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { RESIDENTS } from '../../fixtures/people/residents';
import { rig, type Rig } from './testing/rig';

let sim: PlatformSimulator;
let r: Rig;
beforeAll(async () => {
  sim = await startPlatformSimulator();
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  r = rig(sim.url);
});
afterEach(async () => {
  await r.close();
});

describe('the counter’s 1101 for a provisional face payer', () => {
  it('is asked once during the challenge and used when the session ends with that person', async () => {
    const p = RESIDENTS[6]!;
    const counter = r.pharmacy.counter;
    // The sign-in is not part of what is counted.
    await r.client.query('1101', { data: { mdtrt_cert_type: '02', mdtrt_cert_no: RESIDENTS[9]!.idNumber, psn_cert_type: '01' } });
    const before = sim.stats.requests;
    counter.prefetch({ certType: '02', certNo: p.idNumber });
    r.customer(p);
    const c = await counter.current();
    expect(c.name).toBe(p.name);
    expect(sim.stats.requests - before).toBe(1);
  });

  it('is dropped when the session ends with someone else: their own 1101 is asked', async () => {
    const counter = r.pharmacy.counter;
    await r.client.query('1101', { data: { mdtrt_cert_type: '02', mdtrt_cert_no: RESIDENTS[9]!.idNumber, psn_cert_type: '01' } });
    const before = sim.stats.requests;
    counter.prefetch({ certType: '02', certNo: RESIDENTS[6]!.idNumber });
    r.customer(RESIDENTS[7]!);
    expect((await counter.current()).name).toBe(RESIDENTS[7]!.name);
    expect(sim.stats.requests - before).toBe(2);
  });
});
