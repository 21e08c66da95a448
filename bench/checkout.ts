/**
 * Face checkout benchmark (npm run bench:checkout). Prints JSON: the time from a face appearing
 * in front of the camera to the pre-settlement (2101) result, against the embedded simulator on
 * loopback — frames arrive as the renderer sends them (640x480 JPEG, 15 per second, each with its
 * own faint sensor noise), the customer answers a head-turn challenge in about 0.3 s, the gallery
 * is narrowed by the last four phone digits. The 2101 starts as soon as that narrowed gallery
 * points to one person (FaceService.onProvisionalPayer), while the challenge still runs; it is
 * dropped if the session fails (a 2101 moves no money). Phases: first frame → identity, →
 * challenge done, → 2101 answer. Also the worst bridge latency while the platform answers slowly
 * (bench/bridge-latency.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { prng } from '../models/attacks';
import { cameraFrames } from '../fixtures/media/camera-clips';
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
const FPS = 15;
const rand = prng(42);
/** `n` camera frames of one pose: the same scene, its own noise each. */
const frames = (name: string, i: number, n: number) => cameraFrames(lfwImage(name, i), n, rand);
const frontal = frames('David_Beckham', 1, 24);
const left = frames('David_Beckham', 11, 8);
const others = [frames('Tony_Blair', 53, 12), frames('Andre_Agassi', 9, 12), frames('Hugo_Chavez', 41, 12)];

const sim = await startPlatformSimulator();
const r = rig(sim.url);
const db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-bench-')), 'face.sqlite'));
const gallery = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), systemClock, { modelVersion: 'bench', terminalId: 'T', retentionDays: 30 });
const analyzer = await WorkerAnalyzer.create();
const config = faceConfigSchema.parse({ challenge: { kinds: ['turn-left'] } });
// Enrolment's platform check (a loopback round trip, tested elsewhere) is not what this measures.
const face = new FaceService(analyzer, gallery, config, systemClock, silentLogger, async () => ({ match: true, score: null }));

// Enrol the customer (and three others sharing nothing but the terminal).
const customer = RESIDENTS[6]!;
const enrol = async (psn: typeof customer, frames: Buffer[], factor: string) => {
  const person = { certType: '02' as const, certNo: psn.idNumber, idNumber: psn.idNumber, name: psn.name };
  const consentId = gallery.recordConsent(person, { purpose: 'payment', textVersion: 'v1' });
  const s = face.start('enrol', { person, consentId, factor });
  for (let i = 0; i < frames.length; i++) {
    const p = await face.frame(s.sessionId, { jpeg: frames[i]! });
    if (p.state !== 'collecting') break;
    await new Promise((res) => setTimeout(res, 1000 / FPS));
  }
};
// Enrolment answers the same turn: frontal, left, frontal.
await enrol(customer, [...frontal.slice(0, 8), ...left.slice(0, 3), ...frontal.slice(8, 16)], customer.phone.slice(-4));
for (const [k, f] of others.entries()) await enrol(RESIDENTS[20 + k]!, f, customer.phone.slice(-4));

const lines = basket([0, 1], [6, 1]);
const total: number[] = [];
const identify: number[] = [];
const challenge: number[] = [];
const quote: number[] = [];
const framesUsed: number[] = [];
let failures = 0;
let discarded = 0;
for (let run = 0; run < RUNS; run++) {
  // Looks at the camera (5 frames, 0.33 s), turns left and back (4 + rest): the frames of this run.
  const offset = (run * 5) % 12;
  const clip = [...frontal.slice(offset, offset + 5), ...left.slice(0, 4), ...frontal.slice(offset + 5, offset + 12)];
  const t0 = performance.now();
  let tIdentity = NaN;
  let early: Promise<unknown> | null = null;
  const off = face.onProvisionalPayer((p) => {
    tIdentity = performance.now() - t0;
    // Moves no money: a 2101 pre-settlement for the payer the gallery points to, dropped below if the challenge fails.
    early = r.checkout.quote(personOf(customer), lines, true).then((q) => ({ q, at: performance.now() - t0, psn: p.person.idNumber }));
    early.catch(() => undefined);
  });
  const s = face.start('pay', { factor: customer.phone.slice(-4) });
  let p = s;
  let n = 0;
  while (p.state === 'collecting' && n < clip.length) {
    const wait = t0 + (n * 1000) / FPS - performance.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    p = await face.frame(s.sessionId, { jpeg: clip[n]! });
    n++;
  }
  off();
  const tChallenge = performance.now() - t0;
  face.end(s.sessionId);
  if (!(p.state === 'done' && p.result?.match && p.result.person?.idNumber === customer.idNumber)) {
    failures++;
    if (early) discarded++;
    continue;
  }
  // The identity was provisional until now; the 2101 already started is used only now.
  const q = early
    ? ((await early) as { q: { mode: string }; at: number })
    : { q: await r.checkout.quote(personOf(customer), lines, true), at: performance.now() - t0 };
  if (q.q.mode !== 'online') failures++;
  const t2101 = Math.max(q.at, tChallenge);
  total.push(t2101);
  identify.push(Number.isNaN(tIdentity) ? tChallenge : tIdentity);
  challenge.push(tChallenge);
  quote.push(q.at);
  framesUsed.push(n);
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
      camera: { width: 640, height: 480, framesPerSecond: FPS, challenge: 'turn-left' },
      gallery: { enrolled: 4, narrowedByFactor: true },
      faceToPreSettlementMs: stats(total),
      phases: { faceToIdentityMs: stats(identify), faceToChallengeDoneMs: stats(challenge), faceTo2101AnswerMs: stats(quote) },
      framesUsed: stats(framesUsed),
      failures,
      provisional2101Discarded: discarded,
      bridgeLatencyWhilePlatformSlow: bridgeLatency,
    },
    null,
    2,
  ) + '\n',
);
await face.close();
await r.close();
await sim.close();
