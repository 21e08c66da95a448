import { describe, expect, it } from 'vitest';
import { newRollout, nextWave, record, shouldAbort, summary, validatePolicy, type RolloutPolicy, type RolloutState } from './rollout';

const policy: RolloutPolicy = { canaryPercent: 5, growth: 2, abort: { failurePercent: 20, minFinished: 1 } };
const ids = (n: number) => Array.from({ length: n }, (_, i) => `T${String(i + 1).padStart(3, '0')}`);

/** Runs the rollout to its end with each terminal's outcome decided by `outcome`. */
function run(targets: string[], p: RolloutPolicy, outcome: (t: string) => 'committed' | 'rolled-back') {
  let s: RolloutState = newRollout(targets);
  const waves: string[][] = [];
  for (let i = 0; i < 100; i++) {
    const step = nextWave(s, p);
    s = step.state;
    if (!step.send.length) {
      if (s.aborted || summary(s).done) break;
      continue;
    }
    waves.push(step.send);
    for (const t of step.send) s = record(s, t, outcome(t));
  }
  return { s, waves };
}

describe('rollout waves', () => {
  it('goes to a canary share first, then doubles, and finishes when every terminal committed', () => {
    const { s, waves } = run(ids(85), policy, () => 'committed');
    expect(waves.map((w) => w.length)).toEqual([5, 10, 20, 40, 10]);
    expect(summary(s)).toMatchObject({ targets: 85, committed: 85, done: true });
    expect(s.aborted).toBe(false);
  });

  it('1 then 2: three terminals at 1 % canary and growth 2', () => {
    const { waves, s } = run(ids(3), { ...policy, canaryPercent: 1 }, () => 'committed');
    expect(waves).toEqual([['T001'], ['T002', 'T003']]);
    expect(summary(s).done).toBe(true);
  });

  it('a version that crashes on the canary is rolled back there, the rollout aborts, and no other terminal is sent it', () => {
    const { s, waves } = run(ids(3), { ...policy, canaryPercent: 1 }, () => 'rolled-back');
    expect(waves).toEqual([['T001']]);
    expect(s.aborted).toBe(true);
    expect(s.states).toEqual({ T001: 'rolled-back', T002: 'pending', T003: 'pending' });
    // Nothing more after an abort, however often the planner is asked.
    expect(nextWave(s, policy).send).toEqual([]);
  });

  it('aborts only once the minimum number finished and the failure share reaches the threshold', () => {
    const p: RolloutPolicy = { canaryPercent: 10, growth: 2, abort: { failurePercent: 25, minFinished: 5 } };
    let s = newRollout(ids(20));
    s = nextWave(s, p).state; // T001, T002
    s = record(s, 'T001', 'failed');
    expect(shouldAbort(s, p)).toBe(false); // 1 finished, fewer than 5: 100 % says nothing yet
    s = record(s, 'T002', 'committed');
    s = nextWave(s, p).state; // T003 to T006
    for (const t of ['T003', 'T004', 'T005']) s = record(s, t, 'committed');
    expect(shouldAbort(s, p)).toBe(false); // 1 of 5 = 20 %, below 25 %
    expect(shouldAbort(s, { ...p, abort: { failurePercent: 20, minFinished: 5 } })).toBe(true); // reaching it is enough
    s = record(s, 'T006', 'rolled-back');
    expect(shouldAbort(s, p)).toBe(true); // 2 of 6 = 33 %
    expect(nextWave(s, p)).toMatchObject({ send: [], state: { aborted: true } });
  });

  it('waits while a wave is running; a report from a terminal not sent the job changes nothing', () => {
    let s = newRollout(ids(10));
    s = nextWave(s, policy).state;
    expect(nextWave(s, policy).send).toEqual([]);
    expect(record(s, 'T009', 'committed')).toBe(s);
    s = record(s, 'T001', 'refused');
    expect(nextWave(s, policy).send).toEqual(['T002', 'T003']);
  });

  it('refuses a policy that makes no sense, naming the field', () => {
    expect(validatePolicy({ canaryPercent: 0, growth: 0.5, abort: { failurePercent: 150, minFinished: 0 } })).toEqual([
      'canaryPercent: more than 0, at most 100',
      'growth: 1 to 10',
      'abort.failurePercent: more than 0, at most 100',
      'abort.minFinished: a whole number, at least 1',
    ]);
    expect(validatePolicy(policy)).toEqual([]);
  });
});
