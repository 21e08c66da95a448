/**
 * Where frames are analysed. `WorkerAnalyzer` runs the ONNX sessions in a child process (or, in
 * the Electron build, on a worker thread) so inference never blocks the services' event loop; `LocalAnalyzer` runs them in-process (CLI,
 * benchmarks). Both speak the same interface.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

/**
 * One running face engine, on a worker thread or in a child process: the analyzer speaks to both
 * the same way.
 */
interface Engine {
  post(message: unknown, transfer: ArrayBuffer[]): void;
  onMessage(listener: (m: EngineMessage) => void): void;
  offMessage(listener: (m: EngineMessage) => void): void;
  onLost(listener: (e: Error) => void): void;
  kill(): Promise<void>;
  /** The engine's process id, when it runs in its own process. */
  readonly pid?: number;
}
type EngineMessage = { id?: number; ok?: boolean; result?: FrameAnalysis; ready?: boolean; error?: { code: string; message: string } };

/**
 * Where the engine runs. `process` (the Node host's default): a child process — a native crash in
 * onnxruntime cannot take the services down, a hung inference is ended with SIGKILL (a worker
 * thread stuck in native code cannot be terminated), and the models' ~115 MB are not the host's.
 * `thread`: a worker thread, for the Electron build, whose fuses forbid running Electron as Node
 * and whose services already live in their own utility process.
 */
export type FaceIsolation = 'process' | 'thread';

function threadEngine(file: string | URL, engine: EngineOptions): Engine {
  const worker = new Worker(file, { workerData: engine });
  return {
    post: (m, transfer) => worker.postMessage(m, transfer),
    onMessage: (l) => void worker.on('message', l),
    offMessage: (l) => void worker.off('message', l),
    onLost: (l) => {
      worker.on('error', (e) => l(new FaceError('FACE_ENGINE_CRASHED', e.message)));
      worker.on('exit', (code) => l(new FaceError('FACE_ENGINE_CRASHED', `face worker exited with ${code}`)));
    },
    kill: async () => void (await worker.terminate()),
  };
}

function processEngine(file: string | URL, engine: EngineOptions): Engine {
  const child = fork(file instanceof URL ? fileURLToPath(file) : file, [], {
    // Structured clone carries frames as bytes, not as JSON arrays.
    serialization: 'advanced',
    execArgv: ['--unhandled-rejections=strict'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // Its own process group: Ctrl+C on the host's terminal stops the host, which then ends the
    // engine (it exits when the IPC channel closes); the SIGINT must not kill it mid-analysis.
    detached: true,
    env: { ...process.env, ESTATION_FACE_ENGINE: JSON.stringify(engine) },
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  return {
    pid: child.pid,
    post: (m) => {
      if (child.connected) child.send(m as object, (e) => e && child.kill('SIGKILL'));
    },
    onMessage: (l) => void child.on('message', l),
    offMessage: (l) => void child.off('message', l),
    onLost: (l) => {
      child.on('error', (e) => l(new FaceError('FACE_ENGINE_CRASHED', e.message)));
      child.on('exit', (code, signal) => l(new FaceError('FACE_ENGINE_CRASHED', `face engine process exited with ${signal ?? code}`)));
    },
    kill: async () => {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

type Pending = { resolve: (v: FrameAnalysis) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; engine: Engine };

export interface EngineState {
  state: 'opening' | 'ready' | 'fault';
  code: string | null;
}

export interface WorkerAnalyzerOptions {
  /** A frame not analysed by then fails with FACE_ENGINE_TIMEOUT and the engine is replaced. */
  frameDeadlineMs?: number;
  /** Default `process`. */
  isolation?: FaceIsolation;
}

/**
 * The face engine off the services' event loop. An engine that dies or hangs never leaves a frame
 * waiting: every frame has a deadline, a dead or hung engine fails what it holds with a typed
 * error and is killed, and the next frame starts a fresh one.
 */
export class WorkerAnalyzer implements FaceAnalyzer {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private worker: Engine | null;
  private starting: Promise<Engine> | null = null;
  private closed = false;
  /** How many times a dead or hung engine was replaced. */
  restarts = 0;
  private readonly stateListeners = new Set<(s: EngineState) => void>();
  private engineState: EngineState = { state: 'opening', code: null };

  /** The engine's state as the status bar shows it (the camera's analysis): opening, ready, or fault with a code. */
  onState(listener: (s: EngineState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.engineState);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: EngineState['state'], code: string | null = null): void {
    if (this.engineState.state === state && this.engineState.code === code) return;
    this.engineState = { state, code };
    for (const l of this.stateListeners) l(this.engineState);
  }

  private constructor(
    worker: Engine | null,
    private readonly engine: EngineOptions,
    private readonly workerFile: string | URL,
    private readonly deadlineMs: number,
    private readonly isolation: FaceIsolation,
  ) {
    this.worker = worker;
    if (worker) {
      this.attach(worker);
      this.engineState = { state: 'ready', code: null };
    }
  }

  private attach(worker: Engine): void {
    worker.onMessage((m) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result!);
      else p.reject(new FaceError(m.error?.code ?? 'FACE_ENGINE_FAILED', m.error?.message ?? 'face engine failed'));
    });
    worker.onLost((e) => this.lost(worker, e));
  }

  /** The engine is gone or no longer trusted: fail what it held; the next frame starts another. */
  private lost(worker: Engine, e: Error): void {
    if (this.worker === worker) {
      this.worker = null;
      if (!this.closed) this.setState('fault', (e as { code?: string }).code ?? 'FACE_ENGINE_CRASHED');
    }
    for (const [id, p] of this.pending) {
      if (p.engine !== worker) continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(e);
    }
    void worker.kill().catch(() => undefined);
  }

  private static spawn(engine: EngineOptions, workerFile: string | URL, isolation: FaceIsolation): Promise<Engine> {
    const worker = isolation === 'thread' ? threadEngine(workerFile, engine) : processEngine(workerFile, engine);
    return new Promise<Engine>((resolve, reject) => {
      const onMsg = (m: EngineMessage) => {
        if (m.ready) {
          worker.offMessage(onMsg);
          resolve(worker);
        } else if (m.error && m.id === undefined) {
          worker.offMessage(onMsg);
          void worker.kill();
          reject(new FaceError(m.error.code, m.error.message));
        }
      };
      worker.onMessage(onMsg);
      worker.onLost(reject);
    });
  }

  /**
   * `workerFile`: where the engine's code is. Default: the TypeScript source through tsx (plain
   * Node); the Electron build passes its bundled `face-worker.js` with `isolation: 'thread'`.
   */
  static async create(opts: EngineOptions = {}, workerFile?: string, analyzerOpts: WorkerAnalyzerOptions = {}): Promise<WorkerAnalyzer> {
    const file = workerFile ?? new URL('./worker-entry.mjs', import.meta.url);
    const isolation = analyzerOpts.isolation ?? 'process';
    return new WorkerAnalyzer(await WorkerAnalyzer.spawn(opts, file, isolation), opts, file, analyzerOpts.frameDeadlineMs ?? 5_000, isolation);
  }

  /**
   * The analyzer before its engine: `start()` spawns it without waiting (the models take about a
   * second) and settles when the first engine is up, or rejects with why it could not start (the
   * next frame tries again). A frame sent before then waits for the engine.
   */
  static launch(
    opts: EngineOptions = {},
    workerFile?: string,
    analyzerOpts: WorkerAnalyzerOptions = {},
  ): { analyzer: WorkerAnalyzer; start: () => Promise<void> } {
    const file = workerFile ?? new URL('./worker-entry.mjs', import.meta.url);
    const a = new WorkerAnalyzer(null, opts, file, analyzerOpts.frameDeadlineMs ?? 5_000, analyzerOpts.isolation ?? 'process');
    const start = () =>
      a.current().then(() => {
        // The first engine is not a restart.
        a.restarts = 0;
      });
    return { analyzer: a, start };
  }

  private current(): Promise<Engine> {
    if (this.worker) return Promise.resolve(this.worker);
    if (this.closed) return Promise.reject(new FaceError('FACE_ENGINE_CLOSED', 'the face engine is closed'));
    if (!this.starting) this.setState('opening');
    this.starting ??= WorkerAnalyzer.spawn(this.engine, this.workerFile, this.isolation)
      .then(
        (w) => {
          this.restarts++;
          this.worker = w;
          this.attach(w);
          this.setState('ready');
          return w;
        },
        (err: unknown) => {
          this.setState('fault', (err as { code?: string }).code ?? 'FACE_ENGINE_LOAD_FAILED');
          throw err;
        },
      )
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
      this.pending.set(id, { resolve, reject, timer, engine: worker });
      const data = 'jpeg' in frame ? frame.jpeg : frame.data;
      // Copy into a buffer we can hand over without the caller's memory being detached.
      const copy = new Uint8Array(data);
      const payload = 'jpeg' in frame ? { jpeg: copy } : { width: frame.width, height: frame.height, channels: frame.channels, data: copy };
      worker.post({ id, frame: payload, opts }, [copy.buffer]);
    });
  }

  /** The engine's process id (process isolation, engine running), for diagnostics and tests. */
  get enginePid(): number | undefined {
    return this.worker?.pid;
  }

  /** For tests and the technician: ends the engine as a crash would. */
  async killWorker(): Promise<void> {
    await this.worker?.kill();
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
    await w?.kill();
  }
}
