/**
 * Pixel work for the face pipeline, in plain TypeScript: decode, OpenCV-compatible bilinear
 * resize (half-pixel centres), crops, grey, and warpAffine. Images are packed 8-bit RGB (3
 * channels) or grey (1 channel).
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export interface Image {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export class ImageError extends Error {
  readonly code = 'IMAGE_UNREADABLE';
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

export function rgbaToRgb(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Image {
  const n = width * height;
  if (rgba.length < n * 4) throw new ImageError(`RGBA buffer has ${rgba.length} bytes, ${width}x${height} needs ${n * 4}`);
  const data = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    data[i * 3] = rgba[j]!;
    data[i * 3 + 1] = rgba[j + 1]!;
    data[i * 3 + 2] = rgba[j + 2]!;
  }
  return { width, height, channels: 3, data };
}

/** The EXIF orientation (1..8) of a JPEG, or 1 when it has none. */
export function jpegOrientation(bytes: Uint8Array): number {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 2;
  while (off + 4 <= b.length && b[off] === 0xff) {
    const marker = b[off + 1]!;
    const len = b.readUInt16BE(off + 2);
    if (marker === 0xda) break;
    if (marker === 0xe1 && b.toString('latin1', off + 4, off + 10) === 'Exif\0\0') {
      const tiff = off + 10;
      if (tiff + 8 > b.length) return 1;
      const le = b.toString('latin1', tiff, tiff + 2) === 'II';
      const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
      const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
      const ifd = tiff + u32(tiff + 4);
      if (ifd + 2 > b.length) return 1;
      const count = u16(ifd);
      for (let i = 0; i < count; i++) {
        const e = ifd + 2 + i * 12;
        if (e + 12 > b.length) return 1;
        if (u16(e) === 0x0112) {
          const v = u16(e + 8);
          return v >= 1 && v <= 8 ? v : 1;
        }
      }
      return 1;
    }
    off += 2 + len;
  }
  return 1;
}

/** Turns stored pixels upright according to an EXIF orientation, as a photo viewer shows them. */
export function applyOrientation(img: Image, orientation: number): Image {
  if (orientation <= 1 || orientation > 8) return img;
  const { width: w, height: h, channels: c } = img;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sx: number, sy: number;
      switch (orientation) {
        case 2:
          sx = w - 1 - x;
          sy = y;
          break;
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;
        case 4:
          sx = x;
          sy = h - 1 - y;
          break;
        case 5:
          sx = y;
          sy = x;
          break;
        case 6:
          sx = y;
          sy = h - 1 - x;
          break;
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;
        default:
          sx = w - 1 - y;
          sy = x;
          break; // 8
      }
      const si = (sy * w + sx) * c;
      const di = (y * ow + x) * c;
      for (let k = 0; k < c; k++) out[di + k] = img.data[si + k]!;
    }
  }
  return { width: ow, height: oh, channels: c, data: out };
}

/** Decodes JPEG or PNG bytes to upright RGB (EXIF orientation applied). */
export function decodeImage(bytes: Uint8Array): Image {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
      return applyOrientation(rgbaToRgb(d.data, d.width, d.height), jpegOrientation(bytes));
    }
    if (bytes[0] === 0x89 && bytes[1] === 0x50) {
      const png = PNG.sync.read(Buffer.from(bytes));
      return rgbaToRgb(png.data, png.width, png.height);
    }
  } catch (err) {
    throw new ImageError(`cannot decode image: ${(err as Error).message}`);
  }
  throw new ImageError('not a JPEG or PNG image');
}

export function encodeJpeg(img: Image, quality = 90): Buffer {
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    const v = img.channels === 1 ? [img.data[i]!, img.data[i]!, img.data[i]!] : [img.data[i * 3]!, img.data[i * 3 + 1]!, img.data[i * 3 + 2]!];
    rgba.set([v[0]!, v[1]!, v[2]!, 255], i * 4);
  }
  return jpeg.encode({ data: rgba, width: img.width, height: img.height }, quality).data;
}

/** Bilinear resize as OpenCV INTER_LINEAR: source coordinate = (d + 0.5) * scale - 0.5, clamped. */
export function resize(src: Image, width: number, height: number): Image {
  const c = src.channels;
  const out = new Uint8Array(width * height * c);
  const sx = src.width / width;
  const sy = src.height / height;
  const xs = new Int32Array(width * 2);
  const fxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    let fx = (x + 0.5) * sx - 0.5;
    if (fx < 0) fx = 0;
    const x0 = Math.min(Math.floor(fx), src.width - 1);
    xs[x * 2] = x0;
    xs[x * 2 + 1] = Math.min(x0 + 1, src.width - 1);
    fxs[x] = fx - x0;
  }
  for (let y = 0; y < height; y++) {
    let fy = (y + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    const y0 = Math.min(Math.floor(fy), src.height - 1);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const wy = fy - y0;
    const r0 = y0 * src.width;
    const r1 = y1 * src.width;
    for (let x = 0; x < width; x++) {
      const x0 = xs[x * 2]!;
      const x1 = xs[x * 2 + 1]!;
      const wx = fxs[x]!;
      const o = (y * width + x) * c;
      for (let k = 0; k < c; k++) {
        const a = src.data[(r0 + x0) * c + k]!;
        const b = src.data[(r0 + x1) * c + k]!;
        const d = src.data[(r1 + x0) * c + k]!;
        const e = src.data[(r1 + x1) * c + k]!;
        const top = a + (b - a) * wx;
        const bottom = d + (e - d) * wx;
        out[o + k] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return { width, height, channels: c, data: out };
}

/** Copies the rectangle [x, x+w) x [y, y+h); the caller keeps it inside the image. */
export function crop(src: Image, x: number, y: number, w: number, h: number): Image {
  const c = src.channels;
  x = Math.max(0, Math.min(src.width - 1, Math.trunc(x)));
  y = Math.max(0, Math.min(src.height - 1, Math.trunc(y)));
  w = Math.max(1, Math.min(src.width - x, Math.trunc(w)));
  h = Math.max(1, Math.min(src.height - y, Math.trunc(h)));
  const out = new Uint8Array(w * h * c);
  for (let r = 0; r < h; r++) out.set(src.data.subarray(((y + r) * src.width + x) * c, ((y + r) * src.width + x + w) * c), r * w * c);
  return { width: w, height: h, channels: c, data: out };
}

/** grey = 0.299 R + 0.587 G + 0.114 B */
export function toGrey(src: Image): Image {
  if (src.channels === 1) return src;
  const n = src.width * src.height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(0.299 * src.data[i * 3]! + 0.587 * src.data[i * 3 + 1]! + 0.114 * src.data[i * 3 + 2]!);
  return { width: src.width, height: src.height, channels: 1, data: out };
}

/** 2x3 affine matrix [a, b, tx, c, d, ty]: x' = a x + b y + tx, y' = c x + d y + ty. */
export type Affine = [number, number, number, number, number, number];

/** warpAffine with bilinear sampling and a constant 0 border; M maps source to destination. */
export function warpAffine(src: Image, m: Affine, width: number, height: number): Image {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-12) throw new ImageError('singular transform');
  // Inverse mapping: destination pixel -> source coordinate.
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  const itx = -(ia * tx + ib * ty);
  const ity = -(ic * tx + id * ty);
  const ch = src.channels;
  const out = new Uint8Array(width * height * ch);
  const px = (xx: number, yy: number, k: number) => (xx < 0 || yy < 0 || xx >= src.width || yy >= src.height ? 0 : src.data[(yy * src.width + xx) * ch + k]!);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = ia * x + ib * y + itx;
      const sy = ic * x + id * y + ity;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * width + x) * ch;
      for (let k = 0; k < ch; k++) {
        const top = px(x0, y0, k) * (1 - fx) + px(x0 + 1, y0, k) * fx;
        const bottom = px(x0, y0 + 1, k) * (1 - fx) + px(x0 + 1, y0 + 1, k) * fx;
        out[o + k] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width, height, channels: ch, data: out };
}

/**
 * Least-squares similarity (rotation, uniform scale, translation; 4 degrees of freedom, no shear
 * and no reflection) mapping `from` onto `to`. Not the 3-point affine of the upstream JS, which
 * shears faces and costs about ten points of LFW accuracy.
 */
export function estimateSimilarity(from: readonly [number, number][], to: readonly [number, number][]): Affine {
  const n = from.length;
  let mfx = 0,
    mfy = 0,
    mtx = 0,
    mty = 0;
  for (let i = 0; i < n; i++) {
    mfx += from[i]![0];
    mfy += from[i]![1];
    mtx += to[i]![0];
    mty += to[i]![1];
  }
  mfx /= n;
  mfy /= n;
  mtx /= n;
  mty /= n;
  let num_a = 0,
    num_b = 0,
    den = 0;
  for (let i = 0; i < n; i++) {
    const sx = from[i]![0] - mfx,
      sy = from[i]![1] - mfy;
    const dx = to[i]![0] - mtx,
      dy = to[i]![1] - mty;
    num_a += sx * dx + sy * dy;
    num_b += sx * dy - sy * dx;
    den += sx * sx + sy * sy;
  }
  if (den < 1e-9) throw new ImageError('degenerate landmarks');
  const a = num_a / den;
  const b = num_b / den;
  return [a, -b, mtx - (a * mfx - b * mfy), b, a, mty - (b * mfx + a * mfy)];
}

/** Planar float tensor [1, C, H, W] from an RGB image in the given channel order. */
export function toPlanar(img: Image, order: 'rgb' | 'bgr', transform: (v: number, channel: number) => number): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n * 3);
  const src = order === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  for (let ch = 0; ch < 3; ch++) {
    const s = src[ch]!;
    const base = ch * n;
    for (let i = 0; i < n; i++) out[base + i] = transform(img.data[i * 3 + s]!, ch);
  }
  return out;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Crop, bilinear resize (OpenCV INTER_LINEAR semantics) and conversion to a planar float tensor
 * in one pass: out = (v - mean) * scale per channel, in the given channel order. Equal to
 * toPlanar(resize(crop(src, rect), w, h)) without the two intermediate images; an exact 2x
 * downscale (a 640x480 camera frame for the 320x240 detector) is a 2x2 average.
 */
export function sampleToPlanar(
  src: Image,
  rect: Rect,
  width: number,
  height: number,
  order: 'rgb' | 'bgr',
  mean: readonly number[],
  scale: readonly number[],
): Float32Array {
  const rx = Math.max(0, Math.trunc(rect.x));
  const ry = Math.max(0, Math.trunc(rect.y));
  const rw = Math.max(1, Math.min(src.width - rx, Math.trunc(rect.w)));
  const rh = Math.max(1, Math.min(src.height - ry, Math.trunc(rect.h)));
  const n = width * height;
  const out = new Float32Array(n * 3);
  const chan = order === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  const [c0, c1, c2] = chan as [number, number, number];
  const [m0, m1, m2] = mean as [number, number, number];
  const [s0, s1, s2] = scale as [number, number, number];
  const d = src.data;
  const sw = src.width;
  if (rw === width * 2 && rh === height * 2) {
    for (let y = 0; y < height; y++) {
      const r0 = ((ry + 2 * y) * sw + rx) * 3;
      const r1 = r0 + sw * 3;
      for (let x = 0; x < width; x++) {
        const a = r0 + 6 * x;
        const b = r1 + 6 * x;
        const o = y * width + x;
        out[o] = ((d[a + c0]! + d[a + 3 + c0]! + d[b + c0]! + d[b + 3 + c0]! + 2) >> 2) * s0 - m0 * s0;
        out[n + o] = ((d[a + c1]! + d[a + 3 + c1]! + d[b + c1]! + d[b + 3 + c1]! + 2) >> 2) * s1 - m1 * s1;
        out[2 * n + o] = ((d[a + c2]! + d[a + 3 + c2]! + d[b + c2]! + d[b + 3 + c2]! + 2) >> 2) * s2 - m2 * s2;
      }
    }
    return out;
  }
  const sx = rw / width;
  const sy = rh / height;
  const x0s = new Int32Array(width);
  const x1s = new Int32Array(width);
  const fxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    let fx = (x + 0.5) * sx - 0.5;
    if (fx < 0) fx = 0;
    const x0 = Math.min(Math.floor(fx), rw - 1);
    x0s[x] = (rx + x0) * 3;
    x1s[x] = (rx + Math.min(x0 + 1, rw - 1)) * 3;
    fxs[x] = fx - x0;
  }
  for (let y = 0; y < height; y++) {
    let fy = (y + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    const y0 = Math.min(Math.floor(fy), rh - 1);
    const wy = fy - y0;
    const r0 = (ry + y0) * sw * 3;
    const r1 = (ry + Math.min(y0 + 1, rh - 1)) * sw * 3;
    for (let x = 0; x < width; x++) {
      const wx = fxs[x]!;
      const a = r0 + x0s[x]!;
      const b = r0 + x1s[x]!;
      const c = r1 + x0s[x]!;
      const e = r1 + x1s[x]!;
      const o = y * width + x;
      for (let k = 0; k < 3; k++) {
        const ch = chan[k]!;
        const top = d[a + ch]! + (d[b + ch]! - d[a + ch]!) * wx;
        const bottom = d[c + ch]! + (d[e + ch]! - d[c + ch]!) * wx;
        out[k * n + o] = (Math.round(top + (bottom - top) * wy) - mean[k]!) * scale[k]!;
      }
    }
  }
  return out;
}
