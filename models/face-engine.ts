/**
 * The face pipeline with the exact constants of reference/face-models.md §6: UltraFace detection,
 * 68 landmarks with the SDK crop, 5-point similarity alignment to the ArcFace template,
 * MobileFaceNet embedding on BGR input, L2-normalised and compared by cosine, MiniFASNet liveness
 * on BGR raw pixels, eye state and head pose. Pure computation: no storage, no I/O but the models.
 */
import { crop, estimateSimilarity, resize, sampleToPlanar, toGrey, toPlanar, warpAffine, type Affine, type Image } from './image';
import { ModelSession, type SessionOptions } from './session';
import type { ModelName } from './manifest';

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
}
export type Point = [number, number];

export const DETECT = { width: 320, height: 240, threshold: 0.65, paymentThreshold: 0.7, iou: 0.3 } as const;
export const ARCFACE_REF: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];
export const EMBEDDING_DIM = 512;
export const LIVENESS_SCALE = 2.7;

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union <= 0 ? 0 : inter / union;
}

/** Standard score-sorted IoU non-maximum suppression (not the upstream y2-sorted variant). */
export function nms(boxes: Box[], threshold: number): Box[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const keep: Box[] = [];
  for (const b of sorted) if (keep.every((k) => iou(k, b) <= threshold)) keep.push(b);
  return keep;
}

export function softmax(v: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) max = Math.max(max, v[i]!);
  const e = Array.from({ length: v.length }, (_, i) => Math.exp(v[i]! - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export function l2normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

/** Cosine of two L2-normalised embeddings: their dot product. (Upstream matchFeature always returns -1.) */
export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** The five alignment points from the 68: eye centres from the eyelids, nose tip, mouth corners. */
export function fivePoints(p: Point[]): Point[] {
  const mean = (...idx: number[]): Point => [idx.reduce((s, i) => s + p[i]![0], 0) / idx.length, idx.reduce((s, i) => s + p[i]![1], 0) / idx.length];
  return [mean(37, 38, 40, 41), mean(43, 44, 46, 47), p[30]!, mean(48, 60), mean(54, 64)];
}

/** The landmark crop of Faceplugin's SDK: sqrt(w*h) side, margins 0.05 left/right, 0 top, 0.10 bottom. */
export function landmarkCrop(box: Box, width: number, height: number): { x: number; y: number; w: number; h: number } {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  const sz = Math.sqrt(w * h);
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  let x0 = Math.trunc(cx - 0.55 * sz);
  let y0 = Math.trunc(cy - 0.5 * sz);
  let x1 = x0 + Math.trunc(1.1 * sz);
  let y1 = y0 + Math.trunc(1.1 * sz);
  x0 = Math.max(0, x0);
  y0 = Math.max(0, y0);
  x1 = Math.min(width, x1);
  y1 = Math.min(height, y1);
  return { x: x0, y: y0, w: Math.max(1, x1 - x0), h: Math.max(1, y1 - y0) };
}

/** Square box of the detector's height around the same centre, clamped to the frame. */
export function squareBox(box: Box, width: number, height: number): { x: number; y: number; w: number; h: number } {
  const side = box.y2 - box.y1;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const x = Math.max(0, cx - side / 2);
  const y = Math.max(0, cy - side / 2);
  return { x, y, w: Math.min(width - x, side), h: Math.min(height - y, side) };
}

/** Silent-Face's crop: enlarge the square box by `scale` (capped so it fits), shift it inside the frame. */
export function livenessCrop(box: Box, width: number, height: number, scale = LIVENESS_SCALE): { x: number; y: number; w: number; h: number } {
  const sq = squareBox(box, width, height);
  const s = Math.min((height - 1) / sq.h, (width - 1) / sq.w, scale);
  const nw = sq.w * s;
  const nh = sq.h * s;
  const cx = sq.x + sq.w / 2;
  const cy = sq.y + sq.h / 2;
  let l = cx - nw / 2;
  let t = cy - nh / 2;
  let r = cx + nw / 2;
  let b = cy + nh / 2;
  if (l < 0) {
    r -= l;
    l = 0;
  }
  if (t < 0) {
    b -= t;
    t = 0;
  }
  if (r > width - 1) {
    l -= r - width + 1;
    r = width - 1;
  }
  if (b > height - 1) {
    t -= b - height + 1;
    b = height - 1;
  }
  const x = Math.trunc(l);
  const y = Math.trunc(t);
  return { x, y, w: Math.trunc(r) - x + 1, h: Math.trunc(b) - y + 1 };
}

export const LIVENESS_INPUT = 128;
export const POSE_INPUT = 224;
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

export interface Pose {
  yaw: number;
  pitch: number;
  roll: number;
}

export interface EyeState {
  leftOpen: number;
  rightOpen: number;
}

export class FaceEngine {
  private constructor(private readonly sessions: Map<ModelName, ModelSession>) {}

  static async load(names: ModelName[] = ['detector', 'landmarks', 'embedding', 'liveness', 'eye', 'pose'], opts: SessionOptions = {}): Promise<FaceEngine> {
    const sessions = new Map<ModelName, ModelSession>();
    for (const n of names) sessions.set(n, await ModelSession.load(n, opts));
    return new FaceEngine(sessions);
  }

  loadTimes(): Record<string, number> {
    return Object.fromEntries([...this.sessions].map(([k, s]) => [k, s.loadMs]));
  }

  private session(name: ModelName): ModelSession {
    const s = this.sessions.get(name);
    if (!s) throw new Error(`model ${name} is not loaded`);
    return s;
  }

  /** Detector input: the whole frame resized to 320x240, (v - 127) / 128, NCHW RGB. */
  static detectorInput(img: Image): Float32Array {
    return sampleToPlanar(img, { x: 0, y: 0, w: img.width, h: img.height }, DETECT.width, DETECT.height, 'rgb', [127, 127, 127], [1 / 128, 1 / 128, 1 / 128]);
  }

  async detect(img: Image, threshold: number = DETECT.threshold): Promise<Box[]> {
    const out = await this.session('detector').run(FaceEngine.detectorInput(img), [1, 3, DETECT.height, DETECT.width]);
    const scores = out.scores!;
    const boxes = out.boxes!;
    const found: Box[] = [];
    const n = scores.length / 2;
    for (let i = 0; i < n; i++) {
      const s = scores[i * 2 + 1]!;
      if (s < threshold) continue;
      found.push({
        x1: boxes[i * 4]! * img.width,
        y1: boxes[i * 4 + 1]! * img.height,
        x2: boxes[i * 4 + 2]! * img.width,
        y2: boxes[i * 4 + 3]! * img.height,
        score: s,
      });
    }
    return nms(found, DETECT.iou);
  }

  async landmarks(img: Image, box: Box): Promise<Point[]> {
    const c = landmarkCrop(box, img.width, img.height);
    const grey = resize(toGrey(crop(img, c.x, c.y, c.w, c.h)), 64, 64);
    const input = new Float32Array(64 * 64);
    for (let i = 0; i < input.length; i++) input[i] = grey.data[i]! / 256;
    const out = (await this.session('landmarks').run(input, [1, 1, 64, 64])).output!;
    const pts: Point[] = [];
    for (let k = 0; k < 68; k++) pts.push([out[2 * k]! * c.w + c.x, out[2 * k + 1]! * c.h + c.y]);
    return pts;
  }

  static alignmentTransform(landmarks68: Point[]): Affine {
    return estimateSimilarity(fivePoints(landmarks68), ARCFACE_REF);
  }

  static align(img: Image, landmarks68: Point[]): Image {
    return warpAffine(img, FaceEngine.alignmentTransform(landmarks68), 112, 112);
  }

  /** Embedding input: aligned 112x112 face, BGR planar, (v - 127) / 128. */
  static embeddingInput(aligned: Image): Float32Array {
    return toPlanar(aligned, 'bgr', (v) => (v - 127) / 128);
  }

  async embed(aligned: Image): Promise<Float32Array> {
    const out = (await this.session('embedding').run(FaceEngine.embeddingInput(aligned), [1, 3, 112, 112])).output!;
    return l2normalise(out);
  }

  /** Liveness input: the Silent-Face crop at 128x128, BGR planar, raw 0..255. */
  static livenessInput(img: Image, box: Box): Float32Array {
    return sampleToPlanar(img, livenessCrop(box, img.width, img.height), LIVENESS_INPUT, LIVENESS_INPUT, 'bgr', [0, 0, 0], [1, 1, 1]);
  }

  /** Probability that the face is live (class 0 of the softmax). */
  async liveness(img: Image, box: Box): Promise<number> {
    const out = (await this.session('liveness').run(FaceEngine.livenessInput(img, box), [1, 3, LIVENESS_INPUT, LIVENESS_INPUT])).output!;
    return softmax(out)[0]!;
  }

  /** Probability each eye is open (fr_eye: 24x24 grey / 255; closed when p0 > p1). */
  async eyes(img: Image, p: Point[]): Promise<EyeState> {
    const one = async (lids: number[], corner0: number, corner1: number) => {
      const cx = lids.reduce((s, i) => s + p[i]![0], 0) / 4;
      const cy = lids.reduce((s, i) => s + p[i]![1], 0) / 4;
      const side = Math.max(4, (p[corner1]![0] - p[corner0]![0]) * 1.6);
      const g = resize(toGrey(crop(img, cx - side / 2, cy - side / 2, side, side)), 24, 24);
      const input = new Float32Array(24 * 24);
      for (let i = 0; i < input.length; i++) input[i] = g.data[i]! / 255;
      const pr = softmax((await this.session('eye').run(input, [1, 1, 24, 24])).output!);
      return pr[1]!;
    };
    return { leftOpen: await one([37, 38, 40, 41], 36, 39), rightOpen: await one([43, 44, 46, 47], 42, 45) };
  }

  /** Head pose in degrees (HopeNet: 66 bins of 3°, angle = Σ softmax·i·3 − 99). */
  async pose(img: Image, box: Box): Promise<Pose> {
    const sq = squareBox(box, img.width, img.height);
    const pad = sq.w / 4;
    const x = Math.max(0, sq.x - pad);
    const y = Math.max(0, sq.y - pad);
    const rect = { x, y, w: Math.min(img.width - x, sq.w + 2 * pad), h: Math.min(img.height - y, sq.h + 2 * pad) };
    const input = sampleToPlanar(
      img,
      rect,
      POSE_INPUT,
      POSE_INPUT,
      'rgb',
      IMAGENET_MEAN.map((m) => m * 255),
      IMAGENET_STD.map((sd) => 1 / (255 * sd)),
    );
    const out = await this.session('pose').run(input, [1, 3, POSE_INPUT, POSE_INPUT]);
    const angle = (bins: Float32Array) => softmax(bins).reduce((s, p, i) => s + p * i, 0) * 3 - 99;
    return { yaw: angle(out.output!), pitch: angle(out['617']!), roll: angle(out['618']!) };
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await s.release();
  }
}

/** Variance of the Laplacian of a grey image: low values mean a blurred face. */
export function sharpness(img: Image): number {
  const g = toGrey(img);
  const w = g.width;
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let y = 1; y < g.height - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = g.data[i - 1]! + g.data[i + 1]! + g.data[i - w]! + g.data[i + w]! - 4 * g.data[i]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  const mean = sum / n;
  return sum2 / n - mean * mean;
}
