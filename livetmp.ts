import fs from 'node:fs';
import { FaceEngine, livenessCrop, softmax, LIVENESS_INPUT } from './models/face-engine';
import { decodeImage, jpegOrientation, crop, resize, toPlanar } from './models/image';
import { largestFace } from './models/recognise';
import { ModelSession } from './models/session';
const engine = await FaceEngine.load(['detector', 'landmarks', 'eye', 'pose']);
const live = await ModelSession.load('liveness');
for (const f of fs.readdirSync('/work/shared/faces/spoof')) {
  const bytes = fs.readFileSync('/work/shared/faces/spoof/' + f);
  const img = decodeImage(bytes);
  const box = largestFace(await engine.detect(img));
  if (!box) { console.log(f, 'no face'); continue; }
  const scores = [];
  for (const sc of [1.0, 1.5, 2.0, 2.7, 3.2, 4.0]) {
    const c = livenessCrop(box, img.width, img.height, sc);
    const inp = toPlanar(resize(crop(img, c.x, c.y, c.w, c.h), 128, 128), 'bgr', (v) => v);
    scores.push(softmax((await live.run(inp, [1,3,128,128])).output!)[0]!.toFixed(3));
  }
  const lm = await engine.landmarks(img, box);
  const e = await engine.eyes(img, lm);
  const p = await engine.pose(img, box);
  console.log(f.padEnd(26), 'or', jpegOrientation(bytes), img.width + 'x' + img.height, 'h', Math.round(box.y2-box.y1), scores.join(' '), 'eyes', e.leftOpen.toFixed(2), e.rightOpen.toFixed(2), 'yaw', p.yaw.toFixed(0), 'pitch', p.pitch.toFixed(0));
}
