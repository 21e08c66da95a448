import { describe, expect, it } from 'vitest';
import { crop, resize, sampleToPlanar, toPlanar, applyOrientation, type Image } from './image';

function noise(w: number, h: number, seed = 1): Image {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  return { width: w, height: h, channels: 3, data };
}

describe('fused sampling equals crop + resize + planar', () => {
  it.each([
    ['exact 2x (the detector path)', { x: 0, y: 0, w: 640, h: 480 }, 320, 240],
    ['arbitrary crop and scale', { x: 37, y: 21, w: 271, h: 260 }, 128, 128],
    ['upscale', { x: 5, y: 5, w: 50, h: 60 }, 224, 224],
  ])('%s', (_, rect, w, h) => {
    const img = noise(640, 480);
    const fused = sampleToPlanar(img, rect, w, h, 'bgr', [127, 127, 127], [1 / 128, 1 / 128, 1 / 128]);
    const ref = toPlanar(resize(crop(img, rect.x, rect.y, rect.w, rect.h), w, h), 'bgr', (v) => (v - 127) / 128);
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i]! - fused[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1 / 128 + 1e-6);
  });
});

describe('EXIF orientation', () => {
  it('turns a 2x1 image upright for each orientation', () => {
    const img: Image = { width: 2, height: 1, channels: 1, data: new Uint8Array([1, 2]) };
    expect([...applyOrientation(img, 2).data]).toEqual([2, 1]);
    expect([...applyOrientation(img, 3).data]).toEqual([2, 1]);
    const r6 = applyOrientation(img, 6);
    expect([r6.width, r6.height, ...r6.data]).toEqual([1, 2, 1, 2]);
    const r8 = applyOrientation(img, 8);
    expect([r8.width, r8.height, ...r8.data]).toEqual([1, 2, 2, 1]);
  });
});
