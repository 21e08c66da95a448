/**
 * The head-turn tracker keeps the most frontal frame as the parallax reference. A frame caught at
 * the start of the turn (yaw −9°, still "frontal" under half the threshold) used to replace it,
 * and with a turned frame of the same picture the parallax came out flat: a live login refused
 * (seen on the CI machine: parallax 0.012 with yaws 1 2 3 1 −9 −31 −30).
 */
import { describe, expect, it } from 'vitest';
import type { FrameAnalysis } from '../../models/analyze';
import type { Point } from '../../models/face-engine';
import { ChallengeTracker } from './challenge';

const marks = (tag: number): Point[] => Array.from({ length: 5 }, (_, i): Point => [tag + i, tag * 2 + i]);
const frame = (yaw: number, tag: number) => ({ face: { quality: { pose: { yaw, pitch: 0, roll: 0 } }, landmarks: marks(tag) } }) as unknown as FrameAnalysis;

describe('head-turn challenge', () => {
  it('keeps the most frontal landmarks before the turn, not the last frame under the frontal bound', () => {
    const t = new ChallengeTracker('turn-left', 20, 0.2);
    for (const [yaw, tag] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [0.5, 4],
      [-9, 5],
      [-31, 6],
      [-30, 7],
      [2, 8],
    ] as const)
      t.feed(frame(yaw, tag));
    expect(t.done).toBe(true);
    expect(t.frontal).toEqual(marks(4));
    expect(t.turned).toEqual([marks(6), marks(7)]);
  });

  it('a turn the wrong way is not the asked one', () => {
    const t = new ChallengeTracker('turn-left', 20, 0.2);
    for (const yaw of [0, 30, 31, 0]) t.feed(frame(yaw, 1));
    expect(t.done).toBe(false);
    expect(t.progress).toBe('act');
  });
});
