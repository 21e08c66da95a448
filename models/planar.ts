/**
 * Is a head turn a head, or a picture turned in front of the camera? Every point of a flat
 * picture (a print, a phone or tablet screen) moves from one view to another by one
 * plane-to-plane homography; a head does not: its nose tip moves against its cheeks and contour.
 * So fit one homography (direct linear transform, least squares, Hartley-normalised) from the
 * 68 landmarks of a frontal frame to those of the turned frame and measure how far the landmarks
 * are from it, as a share of the inter-ocular distance. A picture leaves only landmark noise; a
 * head leaves the parallax of its depth.
 */
import type { Point } from './face-engine';

export type Homography = [number, number, number, number, number, number, number, number, number];

/** Translate to the centroid and scale to a mean distance of √2 (Hartley). */
function normaliser(pts: readonly Point[]): { t: Homography; apply: (p: Point) => Point } {
  const n = pts.length;
  const cx = pts.reduce((s, p) => s + p[0], 0) / n;
  const cy = pts.reduce((s, p) => s + p[1], 0) / n;
  const d = pts.reduce((s, p) => s + Math.hypot(p[0] - cx, p[1] - cy), 0) / n || 1;
  const k = Math.SQRT2 / d;
  return { t: [k, 0, -k * cx, 0, k, -k * cy, 0, 0, 1], apply: (p) => [k * (p[0] - cx), k * (p[1] - cy)] };
}

/** Solves the 8x8 normal equations of h (h33 = 1) by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) < 1e-12) return null;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

function mul(a: Homography, b: Homography): Homography {
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) r[i * 3 + j]! += a[i * 3 + k]! * b[k * 3 + j]!;
  return r as Homography;
}

function invertSimilarity(t: Homography): Homography {
  const k = t[0];
  return [1 / k, 0, -t[2] / k, 0, 1 / k, -t[5] / k, 0, 0, 1];
}

export function applyHomography(h: Homography, p: Point): Point {
  const w = h[6] * p[0] + h[7] * p[1] + h[8];
  return [(h[0] * p[0] + h[1] * p[1] + h[2]) / w, (h[3] * p[0] + h[4] * p[1] + h[5]) / w];
}

/** The least-squares homography taking `from` to `to` (at least 4 points), or null if degenerate. */
export function fitHomography(from: readonly Point[], to: readonly Point[]): Homography | null {
  if (from.length !== to.length || from.length < 4) return null;
  const nf = normaliser(from);
  const nt = normaliser(to);
  // Algebraic least squares with h33 = 1: two rows per correspondence, normal equations 8x8.
  const ata = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
  const atb = new Array<number>(8).fill(0);
  for (let i = 0; i < from.length; i++) {
    const [x, y] = nf.apply(from[i]!);
    const [u, v] = nt.apply(to[i]!);
    const rows: [number[], number][] = [
      [[x, y, 1, 0, 0, 0, -u * x, -u * y], u],
      [[0, 0, 0, x, y, 1, -v * x, -v * y], v],
    ];
    for (const [r, b] of rows) {
      for (let j = 0; j < 8; j++) {
        atb[j]! += r[j]! * b;
        for (let k = 0; k < 8; k++) ata[j]![k]! += r[j]! * r[k]!;
      }
    }
  }
  const h = solve(ata, atb);
  if (!h) return null;
  const hn = [...h, 1] as Homography;
  return mul(mul(invertSimilarity(nt.t), hn), nf.t);
}

/** Eye centres of the 68-point scheme (points 36–41 and 42–47). */
export function interOcular(p: readonly Point[]): number {
  const mean = (a: number, b: number) => {
    const s = p.slice(a, b + 1);
    return [s.reduce((x, q) => x + q[0], 0) / s.length, s.reduce((y, q) => y + q[1], 0) / s.length] as Point;
  };
  const l = mean(36, 41);
  const r = mean(42, 47);
  return Math.hypot(l[0] - r[0], l[1] - r[1]);
}

/**
 * How far a turned view's landmarks are from the best plane-to-plane mapping of the frontal
 * view's: root mean square distance over the 68 points, divided by the frontal inter-ocular
 * distance. Near 0 for a picture, larger for a head (parallax). Infinity when it cannot be fitted.
 */
export function planarResidual(frontal: readonly Point[], turned: readonly Point[]): number {
  const h = fitHomography(frontal, turned);
  if (!h) return Infinity;
  let sum = 0;
  for (let i = 0; i < frontal.length; i++) {
    const [x, y] = applyHomography(h, frontal[i]!);
    sum += (x - turned[i]![0]) ** 2 + (y - turned[i]![1]) ** 2;
  }
  return Math.sqrt(sum / frontal.length) / (interOcular(frontal) || 1);
}
