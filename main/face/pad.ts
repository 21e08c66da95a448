/**
 * Presentation-attack detection over a whole face session, beyond one model's score on one frame:
 * - injected streams: a camera never delivers two bit-identical frames (sensor noise), so a frame
 *   seen before in this session (a still, a frozen feed, a looped clip) ends it;
 * - passive liveness fused over every frame that shows the face, the challenge's included: the
 *   mean must pass and so must the lower quartile, so an attack that looks live on most frames
 *   but not on a quarter of them is refused;
 * - the head turn must move the landmarks as a head, not as a turned picture (models/planar.ts).
 */
import { createHash } from 'node:crypto';
import type { Point } from '../../models/face-engine';
import { planarResidual } from '../../models/planar';

export class FrameHistory {
  private readonly seen = new Map<string, number>();
  private count = 0;
  /**
   * How many frames back these exact bytes were seen in this session (1: the frame just before,
   * a frozen feed; more: a loop), or 0 when they are new.
   */
  repeatOf(bytes: Uint8Array): number {
    const h = createHash('sha256').update(bytes).digest('base64');
    this.count++;
    const before = this.seen.get(h);
    this.seen.set(h, this.count);
    return before === undefined ? 0 : this.count - before;
  }
  /** True when these exact bytes came before in this session. */
  repeated(bytes: Uint8Array): boolean {
    return this.repeatOf(bytes) > 0;
  }
}

export interface FusedLiveness {
  mean: number;
  lowerQuartile: number;
  frames: number;
  pass: boolean;
}

export function fuseLiveness(scores: readonly number[], threshold: number, quartileThreshold: number): FusedLiveness {
  if (!scores.length) return { mean: 0, lowerQuartile: 0, frames: 0, pass: false };
  const sorted = [...scores].sort((a, b) => a - b);
  const mean = sorted.reduce((x, y) => x + y, 0) / sorted.length;
  const lowerQuartile = sorted[Math.floor((sorted.length - 1) / 4)]!;
  return { mean, lowerQuartile, frames: sorted.length, pass: mean >= threshold && lowerQuartile >= quartileThreshold };
}

/**
 * The frontal and the turned landmarks of a head-turn challenge, and whether they show depth: the
 * largest parallax over the turned frames (a head shows more the further it turns; a picture none
 * at any angle).
 */
export function headMovedAsHead(frontal: readonly Point[], turned: readonly (readonly Point[])[], minParallax: number): { residual: number; pass: boolean } {
  const finite = turned.map((t) => planarResidual(frontal, t)).filter(Number.isFinite);
  const residual = finite.length ? Math.max(...finite) : Infinity;
  return { residual, pass: Number.isFinite(residual) && residual >= minParallax };
}
