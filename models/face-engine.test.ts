import { describe, expect, it } from 'vitest';
import { cosine, FaceEngine, fivePoints, l2normalise, livenessCrop, nms, softmax, type Point } from './face-engine';
import { estimateSimilarity, resize, warpAffine, type Image } from './image';

const solid = (w: number, h: number, rgb: [number, number, number]): Image => {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set(rgb, i * 3);
  return { width: w, height: h, channels: 3, data };
};

describe('pipeline constants and the upstream bugs we do not copy', () => {
  it('alignment is a 4-DOF similarity: no shear, no reflection, exact on a similarity', () => {
    const from: [number, number][] = [
      [10, 20],
      [40, 22],
      [25, 40],
      [14, 55],
      [38, 56],
    ];
    const ang = 0.3;
    const sc = 1.7;
    const to = from.map(([x, y]) => [sc * (Math.cos(ang) * x - Math.sin(ang) * y) + 5, sc * (Math.sin(ang) * x + Math.cos(ang) * y) - 3] as [number, number]);
    const [a, b, tx, c, d, ty] = estimateSimilarity(from, to);
    expect(a).toBeCloseTo(d, 10);
    expect(b).toBeCloseTo(-c, 10);
    expect(a).toBeCloseTo(sc * Math.cos(ang), 6);
    expect(c).toBeCloseTo(sc * Math.sin(ang), 6);
    expect(tx).toBeCloseTo(5, 6);
    expect(ty).toBeCloseTo(-3, 6);
  });

  it('uses all five points (eyes from the eyelids, nose tip, mouth corners), not three', () => {
    const p: Point[] = Array.from({ length: 68 }, (_, i) => [i, i * 2]);
    const five = fivePoints(p);
    expect(five).toHaveLength(5);
    expect(five[0]).toEqual([(37 + 38 + 40 + 41) / 4, ((37 + 38 + 40 + 41) * 2) / 4]);
    expect(five[2]).toEqual([30, 60]);
    expect(five[3]).toEqual([(48 + 60) / 2, 48 + 60]);
  });

  it('feeds the embedding model BGR, (v - 127) / 128', () => {
    const t = FaceEngine.embeddingInput(solid(112, 112, [255, 0, 0]));
    const n = 112 * 112;
    expect(t[0]).toBeCloseTo(-127 / 128);
    expect(t[2 * n]).toBeCloseTo(128 / 128);
  });

  it('feeds the liveness model BGR raw pixels from the 2.7x Silent-Face crop', () => {
    const img = solid(640, 480, [200, 100, 50]);
    const t = FaceEngine.livenessInput(img, { x1: 270, y1: 190, x2: 370, y2: 290, score: 1 });
    expect(t.length).toBe(3 * 128 * 128);
    expect(t[0]).toBe(50);
    expect(t[128 * 128 * 2]).toBe(200);
    const c = livenessCrop({ x1: 270, y1: 190, x2: 370, y2: 290, score: 1 }, 640, 480);
    expect(c.w).toBeCloseTo(271, -1);
  });

  it('scores by plain cosine of L2-normalised embeddings (upstream matchFeature always gives -1)', () => {
    const a = l2normalise(new Float32Array([1, 2, 3, 4]));
    const b = l2normalise(new Float32Array([1, 2, 3, 5]));
    expect(cosine(a, a)).toBeCloseTo(1, 6);
    expect(cosine(a, b)).toBeGreaterThan(0.99);
    expect(cosine(a, l2normalise(new Float32Array([-1, -2, -3, -4])))).toBeCloseTo(-1, 6);
  });

  it('keeps the highest-scoring box in NMS (standard IoU, score-sorted)', () => {
    const kept = nms(
      [
        { x1: 0, y1: 0, x2: 10, y2: 30, score: 0.7 },
        { x1: 1, y1: 1, x2: 11, y2: 29, score: 0.9 },
        { x1: 50, y1: 50, x2: 60, y2: 60, score: 0.8 },
      ],
      0.3,
    );
    expect(kept.map((b) => b.score)).toEqual([0.9, 0.8]);
    expect(softmax([0, 0])).toEqual([0.5, 0.5]);
  });

  it('resizes like OpenCV INTER_LINEAR and warps with a zero border', () => {
    const img: Image = { width: 2, height: 1, channels: 1, data: new Uint8Array([0, 100]) };
    expect([...resize(img, 4, 1).data]).toEqual([0, 25, 75, 100]);
    const w = warpAffine(solid(4, 4, [9, 9, 9]), [1, 0, 10, 0, 1, 0], 4, 4);
    expect(w.data.every((v) => v === 0)).toBe(true);
  });
});
