/**
 * The face bridge entry points on a checkout terminal: the screen names a purpose, main's policy
 * decides. A login (no second factor, no payment) cannot identify a paying customer there.
 */
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import { ResidentSession } from '../session/session';
import { faceHandlers } from './handlers';
import type { FaceService } from './service';

describe('face.start on a checkout terminal', () => {
  it('refuses login and verify with FACE_PURPOSE_NOT_ALLOWED before any session starts; payment starts one with a challenge', () => {
    const clock = fixedClock('2026-12-02T08:00:00Z');
    const started: { purpose: string; challenge: boolean }[] = [];
    const face = {
      start: (purpose: string, opts: { policy: { challenge: boolean } }) => {
        started.push({ purpose, challenge: opts.policy.challenge });
        return {
          sessionId: '00000000-0000-4000-8000-000000000000',
          state: 'collecting',
          hint: 'NO_FACE',
          framesAccepted: 0,
          framesNeeded: 5,
          challenge: 'blink',
          challengeStep: 'start',
          box: null,
          error: null,
          result: null,
        };
      },
    } as unknown as FaceService;
    const h = faceHandlers(face, new ResidentSession(clock, silentLogger, 120_000), clock, 'checkout');
    for (const purpose of ['login', 'verify'] as const)
      expect(() => h['face.start']({ purpose }, undefined as never)).toThrow(expect.objectContaining({ code: 'FACE_PURPOSE_NOT_ALLOWED' }));
    expect(started).toEqual([]);
    h['face.start']({ purpose: 'pay', factor: '1234' }, undefined as never);
    expect(started).toEqual([{ purpose: 'pay', challenge: true }]);
  });
});
