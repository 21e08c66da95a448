/**
 * The face engine's own side: owns the ONNX sessions and analyses frames sent by FaceService. A
 * frame arrives as JPEG bytes or raw RGB, is analysed, and is dropped: nothing is written.
 * Runs as a child process (the Node host) or a worker thread (the Electron build); it speaks the
 * same messages on both. A child process ends when its parent's channel closes, however the
 * parent ended.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FaceEngine } from '../../models/face-engine';
import { analyzeFrame, type AnalyzeOptions } from '../../models/analyze';
import { decodeImage, type Image } from '../../models/image';
import type { EngineOptions } from './analyzer';

type Request = { id: number; frame: { jpeg: Uint8Array } | Image; opts?: AnalyzeOptions };

interface Channel {
  send(m: unknown): void;
  on(listener: (m: Request) => void): void;
}

function channel(): { channel: Channel; opts: EngineOptions } {
  if (parentPort) {
    const port = parentPort;
    return { channel: { send: (m) => port.postMessage(m), on: (l) => void port.on('message', l) }, opts: (workerData ?? {}) as EngineOptions };
  }
  if (!process.send) throw new Error('the face engine runs as a worker thread or a forked child process');
  process.on('disconnect', () => process.exit(0));
  const raw = process.env.ESTATION_FACE_ENGINE;
  return {
    channel: { send: (m) => void process.send!(m as object), on: (l) => void process.on('message', l as (m: unknown) => void) },
    opts: raw ? (JSON.parse(raw) as EngineOptions) : {},
  };
}

const { channel: port, opts } = channel();

try {
  const engine = await FaceEngine.load(opts.models, { intraOpNumThreads: opts.intraOpNumThreads, modelsDir: opts.modelsDir });
  port.on(async (m) => {
    try {
      const img = 'jpeg' in m.frame ? decodeImage(m.frame.jpeg) : m.frame;
      const result = await analyzeFrame(engine, img, m.opts);
      port.send({ id: m.id, ok: true, result });
    } catch (err) {
      const e = err as Error & { code?: string };
      port.send({ id: m.id, ok: false, error: { code: e.code ?? 'FACE_ENGINE_FAILED', message: e.message } });
    }
  });
  port.send({ ready: true });
} catch (err) {
  const e = err as Error & { code?: string };
  port.send({ error: { code: e.code ?? 'FACE_ENGINE_LOAD_FAILED', message: e.message } });
}
