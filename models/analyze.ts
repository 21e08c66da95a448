/**
 * One frame in, what the terminal needs to know out: every face's box, and for the main face its
 * landmarks, quality (size, inside the frame, pose, eyes, sharpness), liveness and embedding,
 * with the time each stage took.
 */
import { FaceEngine, sharpness, type Box, type Point, type Pose, type EyeState } from './face-engine';
import type { Image } from './image';
import { centralFace, largestFace } from './recognise';

export interface AnalyzeOptions {
  detectThreshold?: number;
  embed?: boolean;
  liveness?: boolean;
  eyes?: boolean;
  pose?: boolean;
  pick?: 'largest' | 'central';
}

export interface FaceQuality {
  faceHeight: number;
  /** Face height as a share of the frame height (100 px in a 480-line frame is 0.21). */
  relativeHeight: number;
  inside: boolean;
  pose: Pose | null;
  eyes: EyeState | null;
  sharpness: number;
  /** Another face at least half the main face's area is in the frame. */
  crowded: boolean;
}

export interface MainFace {
  box: Box;
  landmarks: Point[];
  quality: FaceQuality;
  liveness: number | null;
  embedding: Float32Array | null;
}

export interface FrameAnalysis {
  width: number;
  height: number;
  boxes: Box[];
  face: MainFace | null;
  timings: Record<string, number>;
}

export async function analyzeFrame(engine: FaceEngine, img: Image, opts: AnalyzeOptions = {}): Promise<FrameAnalysis> {
  const timings: Record<string, number> = {};
  const time = async <T>(stage: string, f: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    const r = await f();
    timings[stage] = performance.now() - t;
    return r;
  };
  const started = performance.now();
  const boxes = await time('detect', () => engine.detect(img, opts.detectThreshold));
  const box = (opts.pick === 'central' ? centralFace(boxes, img) : largestFace(boxes)) ?? null;
  let face: MainFace | null = null;
  if (box) {
    const area = (b: Box) => (b.x2 - b.x1) * (b.y2 - b.y1);
    const landmarks = await time('landmarks', () => engine.landmarks(img, box));
    const aligned = await time('align', () => FaceEngine.align(img, landmarks));
    const embedding = opts.embed === false ? null : await time('embed', () => engine.embed(aligned));
    const liveness = opts.liveness === false ? null : await time('liveness', () => engine.liveness(img, box));
    const eyes = opts.eyes === false ? null : await time('eyes', () => engine.eyes(img, landmarks));
    const pose = opts.pose === false ? null : await time('pose', () => engine.pose(img, box));
    const h = box.y2 - box.y1;
    face = {
      box,
      landmarks,
      embedding,
      liveness,
      quality: {
        faceHeight: h,
        relativeHeight: h / img.height,
        inside: box.x1 >= 0 && box.y1 >= 0 && box.x2 <= img.width && box.y2 <= img.height,
        pose,
        eyes,
        sharpness: sharpness(aligned),
        crowded: boxes.some((b) => b !== box && area(b) >= 0.5 * area(box)),
      },
    };
  }
  timings.total = performance.now() - started;
  return { width: img.width, height: img.height, boxes, face, timings };
}

export interface QualityLimits {
  minRelativeHeight: number;
  maxYaw: number;
  maxPitch: number;
  minEyesOpen: number;
  minSharpness: number;
}

export type QualityHint = 'OK' | 'NO_FACE' | 'MULTIPLE_FACES' | 'TOO_SMALL' | 'NOT_INSIDE' | 'TURN_TO_CAMERA' | 'EYES_CLOSED' | 'BLURRY';

/** The one thing to tell the person in front of the camera, most important first. */
export function qualityHint(a: FrameAnalysis, limits: QualityLimits): QualityHint {
  const f = a.face;
  if (!f) return 'NO_FACE';
  const q = f.quality;
  if (q.crowded) return 'MULTIPLE_FACES';
  if (q.relativeHeight < limits.minRelativeHeight) return 'TOO_SMALL';
  if (!q.inside) return 'NOT_INSIDE';
  if (q.pose && (Math.abs(q.pose.yaw) > limits.maxYaw || Math.abs(q.pose.pitch) > limits.maxPitch)) return 'TURN_TO_CAMERA';
  if (q.eyes && Math.min(q.eyes.leftOpen, q.eyes.rightOpen) < limits.minEyesOpen) return 'EYES_CLOSED';
  if (q.sharpness < limits.minSharpness) return 'BLURRY';
  return 'OK';
}
