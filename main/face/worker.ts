/**
 * The face worker thread: owns the ONNX sessions and analyses frames sent by FaceService. A
 * frame arrives as JPEG bytes or raw RGB, is analysed, and is dropped: nothing is written.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FaceEngine } from '../../models/face-engine';
import { analyzeFrame, type AnalyzeOptions } from '../../models/analyze';
import { decodeImage, type Image } from '../../models/image';
import type { EngineOptions } from './analyzer';

const port = parentPort!;
const opts = (workerData ?? {}) as EngineOptions;

try {
  const engine = await FaceEngine.load(opts.models, { intraOpNumThreads: opts.intraOpNumThreads, modelsDir: opts.modelsDir });
  port.on('message', async (m: { id: number; frame: { jpeg: Uint8Array } | Image; opts?: AnalyzeOptions }) => {
    try {
      const img = 'jpeg' in m.frame ? decodeImage(m.frame.jpeg) : m.frame;
      const result = await analyzeFrame(engine, img, m.opts);
      port.postMessage({ id: m.id, ok: true, result });
    } catch (err) {
      const e = err as Error & { code?: string };
      port.postMessage({ id: m.id, ok: false, error: { code: e.code ?? 'FACE_ENGINE_FAILED', message: e.message } });
    }
  });
  port.postMessage({ ready: true });
} catch (err) {
  const e = err as Error & { code?: string };
  port.postMessage({ error: { code: e.code ?? 'FACE_ENGINE_LOAD_FAILED', message: e.message } });
}
