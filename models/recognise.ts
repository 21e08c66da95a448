/**
 * Image-level helpers shared by the CLI, the evaluation and the face service: find the face to use
 * in a still image and compute its embedding.
 */
import { FaceEngine, DETECT, type Box, type Point } from './face-engine';
import type { Image } from './image';

export interface StillFace {
  box: Box;
  landmarks: Point[];
  embedding: Float32Array;
}

/** The face nearest the image centre (the LFW convention for photos with several faces). */
export function centralFace(boxes: Box[], img: Image): Box | null {
  let best: Box | null = null;
  let bestD = Infinity;
  for (const b of boxes) {
    const d = ((b.x1 + b.x2) / 2 - img.width / 2) ** 2 + ((b.y1 + b.y2) / 2 - img.height / 2) ** 2;
    if (d < bestD) {
      bestD = d;
      best = b;
    }
  }
  return best;
}

export function largestFace(boxes: Box[]): Box | null {
  return boxes.reduce<Box | null>((best, b) => (!best || (b.x2 - b.x1) * (b.y2 - b.y1) > (best.x2 - best.x1) * (best.y2 - best.y1) ? b : best), null);
}

/** Detects (retrying at a lower threshold if needed), picks the central face and embeds it. */
export async function embedStill(engine: FaceEngine, img: Image, pick: 'central' | 'largest' = 'central'): Promise<StillFace | null> {
  let boxes = await engine.detect(img, DETECT.threshold);
  if (boxes.length === 0) boxes = await engine.detect(img, 0.3);
  const box = pick === 'central' ? centralFace(boxes, img) : largestFace(boxes);
  if (!box) return null;
  const landmarks = await engine.landmarks(img, box);
  const embedding = await engine.embed(FaceEngine.align(img, landmarks));
  return { box, landmarks, embedding };
}
