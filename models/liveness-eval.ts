/**
 * Face sessions made from still photos, for `estation face eval-liveness`: what a camera would
 * send for a live person turning their head, and for the attacks on it (an injected still, a
 * looped clip, a picture turned in front of the camera, a print or screen held up). Frames are
 * made one at a time, so a session that decides early costs no more JPEG encoding.
 */
import { prng, withSensorNoise } from './attacks';
import { encodeJpeg, resize, type Image } from './image';

/**
 * Per-frame sensor noise in grey levels: the faintest that makes every frame its own. Stronger
 * noise makes the passive model call these upscaled 250-pixel LFW photos prints, a limit of the
 * material, not of cameras.
 */
export const CAMERA_NOISE = 0.5;
const JPEG_QUALITY = 85;

/** The photo scaled to fill `fill` of a camera frame, centred on a grey background. */
export function placeInFrame(photo: Image, width = 640, height = 480, fill = 0.95, background = 96): Image {
  const s = Math.min((width * fill) / photo.width, (height * fill) / photo.height);
  const w = Math.round(photo.width * s);
  const h = Math.round(photo.height * s);
  const scaled = resize(photo, w, h);
  const out: Image = { width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(background) };
  const x0 = Math.floor((width - w) / 2);
  const y0 = Math.floor((height - h) / 2);
  for (let y = 0; y < h; y++) out.data.set(scaled.data.subarray(y * w * 3, (y + 1) * w * 3), ((y + y0) * width + x0) * 3);
  return out;
}

/**
 * The photo scaled to cover a whole camera frame and cropped to it, centred: a person standing in
 * front of the camera, where the scene runs on to the frame's edges. `placeInFrame` leaves the
 * photo's own edges in sight on a grey ground, which is what a held print looks like, and the
 * passive model rightly calls many of those prints (6 of the first 80 LFW persons below 0.5,
 * against 0 of 80 filled).
 */
export function fillFrame(photo: Image, width = 640, height = 480): Image {
  const s = Math.max(width / photo.width, height / photo.height);
  const w = Math.max(width, Math.round(photo.width * s));
  const h = Math.max(height, Math.round(photo.height * s));
  const scaled = resize(photo, w, h);
  const x0 = Math.floor((w - width) / 2);
  const y0 = Math.floor((h - height) / 2);
  const out: Image = { width, height, channels: 3, data: new Uint8Array(width * height * 3) };
  for (let y = 0; y < height; y++) out.data.set(scaled.data.subarray(((y + y0) * w + x0) * 3, ((y + y0) * w + x0 + width) * 3), y * width * 3);
  return out;
}

export interface ClipPart {
  img: Image;
  count: number;
}

/** JPEG frames of `parts` in order; `noise` > 0 gives each frame its own noise from `seed`. */
export function* clipFrames(parts: readonly ClipPart[], noise: number, seed: number): Generator<Uint8Array> {
  const rand = prng(seed);
  for (const { img, count } of parts) {
    for (let i = 0; i < count; i++) yield encodeJpeg(noise ? withSensorNoise(img, noise, rand) : img, JPEG_QUALITY);
  }
}

/**
 * A head-turn session: frontal, turned, frontal again, as a person answering the challenge shows
 * it. `turned` is another photo of them turned (live), or the frontal photo turned as a picture
 * (an attack, attacks.ts `turnPicture`).
 */
export function headTurnClip(frontal: Image, turned: Image, seed: number): Generator<Uint8Array> {
  const parts: ClipPart[] = [
    { img: frontal, count: 8 },
    { img: turned, count: 4 },
    { img: frontal, count: 6 },
  ];
  return clipFrames(parts, CAMERA_NOISE, seed);
}

/** One frame injected into the stream again and again, bit for bit. */
export function injectedStill(img: Image, count = 18): Uint8Array[] {
  const jpeg = encodeJpeg(img, JPEG_QUALITY);
  return Array.from({ length: count }, () => jpeg);
}

/** The first `length` frames of a recorded session, played twice. */
export function loopedClip(recorded: Iterable<Uint8Array>, length = 10): Uint8Array[] {
  const head: Uint8Array[] = [];
  for (const frame of recorded) {
    head.push(frame);
    if (head.length === length) break;
  }
  return [...head, ...head];
}

/** A print or a screen held still before the camera. */
export function heldPictureClip(img: Image, count: number, seed: number): Generator<Uint8Array> {
  return clipFrames([{ img, count }], CAMERA_NOISE, seed);
}
