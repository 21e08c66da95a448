import { describe, expect, it } from 'vitest';
import { ResidentSession } from './session';
import { fixedClock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import type { Identity } from '../devices/identity';

const id = (idNumber: string): Identity => ({
  certType: '03',
  certNo: 'C1',
  cardSn: null,
  idNumber,
  name: '王建国',
  provenBy: 'ss-card',
  cardKind: null,
  at: '2026-11-24T00:00:00Z',
});

describe('a fresh verification for acts that need it (个人信息授权)', () => {
  it('counts within its window, once, and only for the session it was made in', () => {
    const clock = fixedClock('2026-11-24T02:00:00Z');
    const s = new ResidentSession(clock, silentLogger, 90_000);
    s.markVerified('card-pin');
    expect(s.takeVerification(60_000)).toBeNull(); // nobody identified: nothing was recorded
    s.begin(id('320102199001011234'));
    s.markVerified('card-pin');
    clock.advance(30_000);
    expect(s.takeVerification(60_000)).toBe('card-pin');
    expect(s.takeVerification(60_000)).toBeNull(); // used up
    s.markVerified('face');
    clock.advance(61_000);
    expect(s.takeVerification(60_000)).toBeNull(); // too old
    s.markVerified('face');
    s.begin(id('440301198507152345')); // someone else now
    expect(s.takeVerification(60_000)).toBeNull();
    s.markVerified('face');
    s.end('logout');
    expect(s.takeVerification(60_000)).toBeNull();
  });
});
