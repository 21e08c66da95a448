/**
 * Where frames are analysed. `WorkerAnalyzer` runs the ONNX sessions on a worker thread so
 * inference never blocks the services' event loop; `LocalAnalyzer` runs them in-process (CLI,
 * benchmarks). Both speak the same interface.
 */
import { Worker } from 'node:worker_threads';
import { FaceEngine } from '../../models/face-engine';
import { analyzeFrame, type AnalyzeOptions, type FrameAnalysis } from '../../models/analyze';
import { decodeImage, type Image } from '../../models/image';
import type { ModelName } from '../../models/manifest';

export interface FaceAnalyzer {
  analyze(frame: Image | { jpeg: Uint8Array }, opts?: AnalyzeOptions): Promise<FrameAnalysis>;
  close(): Promise<void>;
}

export interface EngineOptions {
  intraOpNumThreads?: number;
  modelsDir?: string;
  models?: ModelName[];
}

export class FaceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FaceError';
  }
}

export class LocalAnalyzer implements FaceAnalyzer {
  private constructor(readonly engine: FaceEngine) {}
  static async create(opts: EngineOptions = {}): Promise<LocalAnalyzer> {
    return new LocalAnalyzer(await FaceEngine.load(opts.models, { intraOpNumThreads: opts.intraOpNumThreads, modelsDir: opts.modelsDir }));
  }
  async analyze(frame: Image | { jpeg: Uint8Array }, opts?: AnalyzeOptions): Promise<FrameAnalysis> {
    const img = 'jpeg' in frame ? decodeImage(frame.jpeg) : frame;
    return analyzeFrame(this.engine, img, opts);
  }
  async close(): Promise<void> {
    await this.engine.release();
  }
}

type Pending = { resolve: (v: FrameAnalysis) => void; reject: (e: Error) => void };

export class WorkerAnalyzer implements FaceAnalyzer {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: { id: number; ok: boolean; result?: FrameAnalysis; error?: { code: string; message: string } }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result!);
      else p.reject(new FaceError(m.error?.code ?? 'FACE_ENGINE_FAILED', m.error?.message ?? 'face engine failed'));
    });
    worker.on('error', (e) => this.failAll(new FaceError('FACE_ENGINE_CRASHED', e.message)));
    worker.on('exit', (code) => this.failAll(new FaceError('FACE_ENGINE_CRASHED', `face worker exited with ${code}`)));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /**
   * `workerFile`: where the worker's code is. Default: the TypeScript source through tsx (plain
   * Node); the Electron build passes its bundled `face-worker.js`.
   */
  static async create(opts: EngineOptions = {}, workerFile?: string): Promise<WorkerAnalyzer> {
    const worker = new Worker(workerFile ?? new URL('./worker-entry.mjs', import.meta.url), { workerData: opts });
    await new Promise<void>((resolve, reject) => {
      const onMsg = (m: { ready?: boolean; error?: { code: string; message: string } }) => {
        if (m.ready) resolve();
        else if (m.error) reject(new FaceError(m.error.code, m.error.message));
        worker.off('message', onMsg);
      };
      worker.on('message', onMsg);
      worker.once('error', reject);
    });
    return new WorkerAnalyzer(worker);
  }

  analyze(frame: Image | { jpeg: Uint8Array }, opts?: AnalyzeOptions): Promise<FrameAnalysis> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const data = 'jpeg' in frame ? frame.jpeg : frame.data;
      // Copy into a buffer we can hand over without the caller's memory being detached.
      const copy = new Uint8Array(data);
      const payload = 'jpeg' in frame ? { jpeg: copy } : { width: frame.width, height: frame.height, channels: frame.channels, data: copy };
      this.worker.postMessage({ id, frame: payload, opts }, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
