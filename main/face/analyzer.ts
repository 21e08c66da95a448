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

type Pending = { resolve: (v: FrameAnalysis) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; worker: Worker };

export interface WorkerAnalyzerOptions {
  /** A frame not analysed by then fails with FACE_ENGINE_TIMEOUT and the worker is replaced. */
  frameDeadlineMs?: number;
}

/**
 * The face engine on a worker thread. A worker that dies or hangs never leaves a frame waiting:
 * every frame has a deadline, a dead or hung worker fails what it holds with a typed error, and
 * the next frame starts a fresh worker.
 */
export class WorkerAnalyzer implements FaceAnalyzer {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private worker: Worker | null;
  private starting: Promise<Worker> | null = null;
  private closed = false;
  /** How many times a dead or hung worker was replaced. */
  restarts = 0;

  private constructor(
    worker: Worker,
    private readonly engine: EngineOptions,
    private readonly workerFile: string | URL,
    private readonly deadlineMs: number,
  ) {
    this.worker = worker;
    this.attach(worker);
  }

  private attach(worker: Worker): void {
    worker.on('message', (m: { id: number; ok: boolean; result?: FrameAnalysis; error?: { code: string; message: string } }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result!);
      else p.reject(new FaceError(m.error?.code ?? 'FACE_ENGINE_FAILED', m.error?.message ?? 'face engine failed'));
    });
    worker.on('error', (e) => this.lost(worker, new FaceError('FACE_ENGINE_CRASHED', e.message)));
    worker.on('exit', (code) => this.lost(worker, new FaceError('FACE_ENGINE_CRASHED', `face worker exited with ${code}`)));
  }

  /** The worker is gone or no longer trusted: fail what it held; the next frame starts another. */
  private lost(worker: Worker, e: Error): void {
    if (this.worker === worker) this.worker = null;
    for (const [id, p] of this.pending) {
      if (p.worker !== worker) continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(e);
    }
    void worker.terminate().catch(() => undefined);
  }

  private static spawn(engine: EngineOptions, workerFile: string | URL): Promise<Worker> {
    const worker = new Worker(workerFile, { workerData: engine });
    return new Promise<Worker>((resolve, reject) => {
      const onMsg = (m: { ready?: boolean; error?: { code: string; message: string } }) => {
        worker.off('message', onMsg);
        if (m.ready) resolve(worker);
        else if (m.error) reject(new FaceError(m.error.code, m.error.message));
      };
      worker.on('message', onMsg);
      worker.once('error', reject);
    });
  }

  /**
   * `workerFile`: where the worker's code is. Default: the TypeScript source through tsx (plain
   * Node); the Electron build passes its bundled `face-worker.js`.
   */
  static async create(opts: EngineOptions = {}, workerFile?: string, analyzerOpts: WorkerAnalyzerOptions = {}): Promise<WorkerAnalyzer> {
    const file = workerFile ?? new URL('./worker-entry.mjs', import.meta.url);
    return new WorkerAnalyzer(await WorkerAnalyzer.spawn(opts, file), opts, file, analyzerOpts.frameDeadlineMs ?? 5_000);
  }

  private current(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    if (this.closed) return Promise.reject(new FaceError('FACE_ENGINE_CLOSED', 'the face engine is closed'));
    this.starting ??= WorkerAnalyzer.spawn(this.engine, this.workerFile)
      .then((w) => {
        this.restarts++;
        this.worker = w;
        this.attach(w);
        return w;
      })
      .finally(() => {
        this.starting = null;
      });
    return this.starting;
  }

  async analyze(frame: Image | { jpeg: Uint8Array }, opts?: AnalyzeOptions): Promise<FrameAnalysis> {
    const worker = await this.current();
    if (this.closed) throw new FaceError('FACE_ENGINE_CLOSED', 'the face engine is closed');
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.has(id)) return;
        this.lost(worker, new FaceError('FACE_ENGINE_TIMEOUT', `the face engine did not answer within ${this.deadlineMs} ms`));
      }, this.deadlineMs);
      this.pending.set(id, { resolve, reject, timer, worker });
      const data = 'jpeg' in frame ? frame.jpeg : frame.data;
      // Copy into a buffer we can hand over without the caller's memory being detached.
      const copy = new Uint8Array(data);
      const payload = 'jpeg' in frame ? { jpeg: copy } : { width: frame.width, height: frame.height, channels: frame.channels, data: copy };
      worker.postMessage({ id, frame: payload, opts }, [copy.buffer]);
    });
  }

  /** For tests and the technician: ends the worker as a crash would. */
  async killWorker(): Promise<void> {
    await this.worker?.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new FaceError('FACE_ENGINE_CLOSED', 'the face engine is closed'));
    }
    this.pending.clear();
    const w = this.worker ?? (await this.starting?.catch(() => null)) ?? null;
    this.worker = null;
    await w?.terminate();
  }
}
