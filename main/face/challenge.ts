/**
 * Active liveness: a challenge chosen at random that a photo or a replayed still cannot answer.
 * `blink` wants open eyes, then closed, then open; a head turn wants a frontal face, then yaw past
 * the threshold in the asked direction, then frontal again.
 */
import { randomInt } from 'node:crypto';
import type { FrameAnalysis } from '../../models/analyze';
import type { Point } from '../../models/face-engine';

export type ChallengeKind = 'blink' | 'turn-left' | 'turn-right';
export const CHALLENGES: ChallengeKind[] = ['blink', 'turn-left', 'turn-right'];

export function pickChallenge(kinds: readonly ChallengeKind[] = CHALLENGES): ChallengeKind {
  return kinds[randomInt(kinds.length)]!;
}

export class ChallengeTracker {
  /** 0: waiting for the neutral start, 1: waiting for the action, 2: waiting to come back, 3: done. */
  private step = 0;
  /**
   * Head turns: the most frontal landmarks before the turn (the parallax reference), and those of
   * every turned frame (up to 10). The most frontal, not the last: a frame caught early in the
   * turn still counts as frontal, and as a reference it hides the depth the turn shows.
   */
  frontal: Point[] | null = null;
  private frontalYaw = Infinity;
  readonly turned: Point[][] = [];
  constructor(
    readonly kind: ChallengeKind,
    private readonly turnDegrees: number,
    private readonly blinkClosed: number,
  ) {}

  get done(): boolean {
    return this.step === 3;
  }

  get progress(): 'start' | 'act' | 'return' | 'done' {
    return (['start', 'act', 'return', 'done'] as const)[this.step]!;
  }

  feed(a: FrameAnalysis): void {
    const q = a.face?.quality;
    if (!q || this.done) return;
    if (this.kind === 'blink') {
      if (!q.eyes) return;
      const open = Math.min(q.eyes.leftOpen, q.eyes.rightOpen);
      const closed = Math.max(q.eyes.leftOpen, q.eyes.rightOpen) < this.blinkClosed;
      if (this.step === 0 && open > 0.7) this.step = 1;
      else if (this.step === 1 && closed) this.step = 2;
      else if (this.step === 2 && open > 0.7) this.step = 3;
      return;
    }
    if (!q.pose) return;
    // Direction as the pose model reports it in the camera image; the screen shows the arrow in
    // the same (unmirrored) frame.
    const yaw = q.pose.yaw;
    const want = this.kind === 'turn-left' ? -1 : 1;
    const frontal = Math.abs(yaw) < this.turnDegrees / 2;
    const landmarks = a.face?.landmarks ?? null;
    if (this.step === 0 && frontal) {
      this.step = 1;
      this.keepFrontal(landmarks, yaw);
    } else if (this.step === 1 && frontal) this.keepFrontal(landmarks, yaw);
    else if (this.step === 1 && yaw * want >= this.turnDegrees) {
      this.step = 2;
      if (landmarks) this.turned.push(landmarks);
    } else if (this.step === 2 && yaw * want >= this.turnDegrees && landmarks && this.turned.length < 10) this.turned.push(landmarks);
    else if (this.step === 2 && frontal) this.step = 3;
  }

  private keepFrontal(landmarks: Point[] | null, yaw: number): void {
    if (!landmarks || Math.abs(yaw) > this.frontalYaw) return;
    this.frontal = landmarks;
    this.frontalYaw = Math.abs(yaw);
  }
}
