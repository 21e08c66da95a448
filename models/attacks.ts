/**
 * Presentation attacks made from real photos, for tests and for `estation face eval-liveness`:
 * a printed photo or a screen turned about its vertical axis in front of the camera (an exact
 * perspective view of a plane), per-frame sensor noise, and sessions built from them. Nothing
 * here is used to decide anything; it makes the material the deciders are measured on.
 */
import type { Image } from './image';

/** Deterministic uniform numbers in [0, 1) (mulberry32), so a session can be made again. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The picture `img`, centred in front of a pinhole camera whose focal length equals its distance
 * (so at 0° it appears unchanged), turned by `degrees` about its vertical axis (positive: its right
 * edge moves away). Background where the picture is not: grey.
 */
export function turnPicture(img: Image, degrees: number, background = 96): Image {
  const { width: w, height: h, channels: ch } = img;
  const th = (degrees * Math.PI) / 180;
  const cos = Math.cos(th);
  const sin = Math.sin(th);
  const d = Math.max(w, h) * 1.2;
  const cx = w / 2;
  const cy = h / 2;
  const out = new Uint8Array(w * h * ch).fill(background);
  for (let v = 0; v < h; v++) {
    for (let u = 0; u < w; u++) {
      const du = u - cx;
      const dv = v - cy;
      // Inverse: which point (X, Y) of the picture projects to (u, v)?
      const den = d * cos - du * sin;
      if (den <= 1e-6) continue;
      const x = (du * d) / den;
      const y = (dv * (d + x * sin)) / d;
      const sx = x + cx;
      const sy = y + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (v * w + u) * ch;
      for (let k = 0; k < ch; k++) {
        const p = (xx: number, yy: number) => img.data[(yy * w + xx) * ch + k]!;
        const top = p(x0, y0) * (1 - fx) + p(x0 + 1, y0) * fx;
        const bottom = p(x0, y0 + 1) * (1 - fx) + p(x0 + 1, y0 + 1) * fx;
        out[o + k] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width: w, height: h, channels: ch, data: out };
}

/** The image with independent noise on every sample (about ±sigma), as a camera sensor adds. */
export function withSensorNoise(img: Image, sigma: number, rand: () => number): Image {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    // Sum of three uniforms: close enough to Gaussian, cheap.
    const n = (rand() + rand() + rand() - 1.5) * 2 * sigma;
    out[i] = Math.max(0, Math.min(255, Math.round(img.data[i]! + n)));
  }
  return { ...img, data: out };
}
