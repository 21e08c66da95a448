/**
 * Fake-camera clips for Chromium (--use-file-for-fake-video-capture): a still photo placed in a
 * 640x480 frame, repeated, written as Y4M (4:2:0, full-range BT.601 for C420jpeg). Made at test
 * time from ../shared/faces into test-output/: no face image is ever committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeImage, resize, type Image } from '../models/image';

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

export function y4mFromFrames(frames: Image[], fps = 10): Buffer {
  const { width: w, height: h } = frames[0]!;
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${w} H${h} F${fps}:1 Ip A1:1 C420jpeg\n`, 'ascii')];
  for (const f of frames) {
    const y = Buffer.alloc(w * h);
    const u = Buffer.alloc((w / 2) * (h / 2));
    const v = Buffer.alloc((w / 2) * (h / 2));
    for (let i = 0; i < w * h; i++) {
      const r = f.data[i * 3]!;
      const g = f.data[i * 3 + 1]!;
      const b = f.data[i * 3 + 2]!;
      y[i] = Math.max(0, Math.min(255, Math.round(0.299 * r + 0.587 * g + 0.114 * b)));
    }
    for (let cy = 0; cy < h / 2; cy++) {
      for (let cx = 0; cx < w / 2; cx++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
          const i = ((cy * 2 + dy) * w + cx * 2 + dx) * 3;
          r += f.data[i]!;
          g += f.data[i + 1]!;
          b += f.data[i + 2]!;
        }
        r /= 4;
        g /= 4;
        b /= 4;
        u[cy * (w / 2) + cx] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
        v[cy * (w / 2) + cx] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
      }
    }
    parts.push(Buffer.from('FRAME\n', 'ascii'), y, u, v);
  }
  return Buffer.concat(parts);
}

/** Writes a clip of `count` identical frames of the photo and returns its absolute path. */
export function writeStillClip(photoPath: string, outPath: string, opts: { fill?: number; count?: number } = {}): string {
  const frame = placeInFrame(decodeImage(fs.readFileSync(photoPath)), 640, 480, opts.fill ?? 0.95);
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, y4mFromFrames(Array.from({ length: opts.count ?? 4 }, () => frame)));
  return path.resolve(outPath);
}
