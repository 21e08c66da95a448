/**
 * Face pipeline benchmark (npm run bench:face). Prints JSON: per-stage and whole-frame median and
 * p95 ms on a 640x480 frame, model-only time per model (session.run on a prepared tensor), session
 * load time, RSS, and 1:N search time over 1k, 10k and 100k synthetic embeddings.
 *
 * The frame is a face photo scaled into a 640x480 canvas: ESTATION_BENCH_IMAGE, or an LFW photo
 * from ../shared/faces, or (where neither exists) a synthetic frame, said so in the output.
 */
import fs from 'node:fs';
import ort from 'onnxruntime-node';
import { FaceEngine, EMBEDDING_DIM, l2normalise } from '../models/face-engine';
import { analyzeFrame } from '../models/analyze';
import { decodeImage, resize, type Image } from '../models/image';
import { ModelSession } from '../models/session';
import { GallerySearch } from '../main/face/search';
import { lfwImage, facesAvailable } from '../fixtures/faces';

const runs = Number(process.env.BENCH_RUNS ?? 60);
const warmup = 10;
const threads = Number(process.env.BENCH_THREADS ?? 1);

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: +q(0.5).toFixed(3), p95: +q(0.95).toFixed(3), n: s.length };
}

function frame640(): { img: Image; source: string } {
  const file = process.env.ESTATION_BENCH_IMAGE ?? (facesAvailable ? lfwImage('Tony_Blair', 18) : null);
  if (file && fs.existsSync(file)) {
    const face = decodeImage(fs.readFileSync(file));
    const scaled = resize(face, 360, 360);
    const img: Image = { width: 640, height: 480, channels: 3, data: new Uint8Array(640 * 480 * 3).fill(90) };
    for (let y = 0; y < 360; y++) img.data.set(scaled.data.subarray(y * 360 * 3, (y + 1) * 360 * 3), ((y + 60) * 640 + 140) * 3);
    return { img, source: file };
  }
  const img: Image = { width: 640, height: 480, channels: 3, data: new Uint8Array(640 * 480 * 3).map((_, i) => (i * 31) % 251) };
  return { img, source: 'synthetic (no face photo found: stage numbers after detection are absent)' };
}

async function modelOnly(engine: FaceEngine, img: Image) {
  // Prepare each model's real input once, then time session.run alone.
  const a = await analyzeFrame(engine, img, { eyes: false, pose: false });
  const f = a.face!;
  const inputs = {
    detector: { data: FaceEngine.detectorInput(img), dims: [1, 3, 240, 320] },
    landmarks: { data: new Float32Array(64 * 64).fill(0.5), dims: [1, 1, 64, 64] },
    embedding: { data: FaceEngine.embeddingInput(FaceEngine.align(img, f.landmarks)), dims: [1, 3, 112, 112] },
    liveness: { data: FaceEngine.livenessInput(img, f.box), dims: [1, 3, 128, 128] },
  } as const;
  const out: Record<string, ReturnType<typeof stats> & { loadMs: number }> = {};
  for (const [name, inp] of Object.entries(inputs)) {
    const s = await ModelSession.load(name as keyof typeof inputs, { intraOpNumThreads: threads });
    const ts: number[] = [];
    for (let i = 0; i < warmup + runs; i++) {
      const t = performance.now();
      await s.run(inp.data, [...inp.dims]);
      if (i >= warmup) ts.push(performance.now() - t);
    }
    out[name] = { ...stats(ts), loadMs: +s.loadMs.toFixed(1) };
    await s.release();
  }
  return out;
}

async function search(sizes: number[]) {
  const out: Record<string, ReturnType<typeof stats>> = {};
  const s = await GallerySearch.create(Number(process.env.BENCH_SEARCH_THREADS ?? 2));
  for (const n of sizes) {
    const g = new Float32Array(n * EMBEDDING_DIM);
    for (let i = 0; i < g.length; i++) g[i] = Math.random() - 0.5;
    for (let r = 0; r < n; r++) g.set(l2normalise(g.subarray(r * EMBEDDING_DIM, (r + 1) * EMBEDDING_DIM)), r * EMBEDDING_DIM);
    s.load(g);
    const q = l2normalise(new Float32Array(EMBEDDING_DIM).map(() => Math.random() - 0.5));
    const ts: number[] = [];
    for (let i = 0; i < 5 + 30; i++) {
      const t = performance.now();
      await s.top(q, 5);
      if (i >= 5) ts.push(performance.now() - t);
    }
    out[String(n)] = stats(ts);
  }
  await s.release();
  return out;
}

const rssStart = process.memoryUsage().rss;
const { img, source } = frame640();
const loadStart = performance.now();
const engine = await FaceEngine.load(['detector', 'landmarks', 'embedding', 'liveness'], { intraOpNumThreads: threads });
const sessionLoadMs = performance.now() - loadStart;
const rssAfterLoad = process.memoryUsage().rss;

const stages: Record<string, number[]> = {};
for (let i = 0; i < warmup + runs; i++) {
  const a = await analyzeFrame(engine, img, { eyes: false, pose: false });
  if (i < warmup) continue;
  for (const [k, v] of Object.entries(a.timings)) (stages[k] ??= []).push(v);
}
const perStage = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, stats(v)]));
const models = await modelOnly(engine, img);
const modelSum = Object.values(models).reduce((s, m) => s + m.median, 0);
const wholeFrame = perStage.total!;
await engine.release();
const searchMs = await search([1_000, 10_000, 100_000]);

process.stdout.write(
  JSON.stringify(
    {
      benchmark: 'face',
      frame: { width: img.width, height: img.height, source },
      ort: { version: ort.env.versions?.common ?? null, intraOpNumThreads: threads },
      runs,
      wholeFrameMs: wholeFrame,
      perStageMs: perStage,
      modelOnlyMs: models,
      modelOnlySumMedianMs: +modelSum.toFixed(3),
      wholeFrameOverModelOnly: +(wholeFrame.median / modelSum).toFixed(3),
      sessionLoadMs: +sessionLoadMs.toFixed(1),
      rssMb: {
        start: +(rssStart / 2 ** 20).toFixed(1),
        afterSessionLoad: +(rssAfterLoad / 2 ** 20).toFixed(1),
        end: +(process.memoryUsage().rss / 2 ** 20).toFixed(1),
      },
      search1toNMs: searchMs,
    },
    null,
    2,
  ) + '\n',
);
