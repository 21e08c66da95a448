/**
 * Face checkout benchmark (npm run bench:checkout). Prints JSON: the time from a face appearing
 * in front of the camera to the pre-settlement (2101) result, against the embedded simulator on
 * loopback — frames arrive as the renderer sends them (640x480 JPEG, 5 per second), the customer
 * answers a head-turn challenge, the gallery is narrowed by the last four phone digits. Also the
 * worst bridge latency while the platform answers slowly (bench/bridge-latency.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodeImage, encodeJpeg } from '../models/image';
import { placeInFrame } from '../fixtures/media/camera-clips';
import { facesAvailable, lfwImage } from '../fixtures/faces';
import { startPlatformSimulator } from '../fixtures/platform/server';
import { RESIDENTS } from '../fixtures/people/residents';
import { systemClock } from '../main/ground/clock';
import { silentLogger } from '../main/ground/logger';
import { openDatabase } from '../main/store/database';
import { WorkerAnalyzer } from '../main/face/analyzer';
import { FaceGallery } from '../main/face/gallery';
import { StaticKeyProvider } from '../main/face/keys';
import { FaceService } from '../main/face/service';
import { faceConfigSchema } from '../main/face/config';
import { basket, personOf, rig } from '../main/pharmacy/testing/rig';
import { measureBridgeLatency } from './bridge-latency';

// First the whole terminal against a slow platform: how long any bridge call waits meanwhile.
const bridgeLatency = await measureBridgeLatency();
if (!facesAvailable) {
  process.stdout.write(
    JSON.stringify(
      { benchmark: 'checkout', bridgeLatencyWhilePlatformSlow: bridgeLatency, faceToPreSettlement: 'skipped: needs ../shared/faces for camera frames' },
      null,
      2,
    ) + '\n',
  );
  process.exit(0);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 12);
const jpeg = (name: string, i: number) => encodeJpeg(placeInFrame(decodeImage(fs.readFileSync(lfwImage(name, i)))), 85);
const frontal = jpeg('David_Beckham', 1);
const left = jpeg('David_Beckham', 11);
const others = [jpeg('Tony_Blair', 53), jpeg('Andre_Agassi', 9), jpeg('Hugo_Chavez', 41)];

const sim = await startPlatformSimulator();
const r = rig(sim.url);
const db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-bench-')), 'face.sqlite'));
const gallery = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), systemClock, { modelVersion: 'bench', terminalId: 'T', retentionDays: 30 });
const analyzer = await WorkerAnalyzer.create();
const config = faceConfigSchema.parse({ challenge: { kinds: ['turn-left'] } });
const face = new FaceService(analyzer, gallery, config, systemClock, silentLogger);

// Enrol the customer (and three others sharing nothing but the terminal).
const customer = RESIDENTS[6]!;
const enrol = async (psn: typeof customer, frames: Buffer[], factor: string) => {
  const person = { certType: '02' as const, certNo: psn.idNumber, idNumber: psn.idNumber, name: psn.name };
  const consentId = gallery.recordConsent(person, { purpose: 'payment', textVersion: 'v1' });
  const s = face.start('enrol', { person, consentId, factor });
  for (let i = 0; i < 40; i++) {
    const p = await face.frame(s.sessionId, { jpeg: frames[i % frames.length]! });
    if (p.state !== 'collecting') break;
    await new Promise((res) => setTimeout(res, 200));
  }
};
await enrol(customer, [frontal], customer.phone.slice(-4));
for (const [k, f] of others.entries()) await enrol(RESIDENTS[20 + k]!, [f], customer.phone.slice(-4));

const lines = basket([0, 1], [6, 1]);
const total: number[] = [];
const identify: number[] = [];
const quote: number[] = [];
const frames: number[] = [];
let failures = 0;
const clip = [frontal, frontal, left, left, frontal, frontal, frontal, frontal, frontal, frontal];
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  const s = face.start('pay', { factor: customer.phone.slice(-4) });
  let p = s;
  let n = 0;
  while (p.state === 'collecting' && n < 60) {
    const due = t0 + n * 200;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    p = await face.frame(s.sessionId, { jpeg: clip[n % clip.length]! });
    n++;
  }
  const t1 = performance.now();
  if (!(p.state === 'done' && p.result?.match)) {
    failures++;
    continue;
  }
  const q = await r.checkout.quote(personOf(customer), lines, true);
  const t2 = performance.now();
  if (q.mode !== 'online') failures++;
  total.push(t2 - t0);
  identify.push(t1 - t0);
  quote.push(t2 - t1);
  frames.push(n);
  face.end(s.sessionId);
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    median: +(s[Math.floor(s.length / 2)] ?? NaN).toFixed(1),
    p95: +(s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] ?? NaN).toFixed(1),
    n: s.length,
  };
};
process.stdout.write(
  JSON.stringify(
    {
      benchmark: 'checkout',
      camera: { width: 640, height: 480, framesPerSecond: 5, challenge: 'turn-left' },
      gallery: { enrolled: 4, narrowedByFactor: true },
      faceToPreSettlementMs: stats(total),
      faceToIdentityMs: stats(identify),
      preSettlement2101Ms: stats(quote),
      framesUsed: stats(frames),
      failures,
      bridgeLatencyWhilePlatformSlow: bridgeLatency,
    },
    null,
    2,
  ) + '\n',
);
await face.close();
await r.close();
await sim.close();
