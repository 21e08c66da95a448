import ort from 'onnxruntime-node';
import { manifest, readVerifiedModel, type ModelName } from './manifest';

export interface SessionOptions {
  /** 1 by default: on a 2-core terminal, 2 spinning threads more than double the latency. */
  intraOpNumThreads?: number;
  modelsDir?: string;
}

/** One ONNX Runtime session on a verified model file. */
export class ModelSession {
  private constructor(
    readonly name: ModelName,
    private readonly session: ort.InferenceSession,
    readonly loadMs: number,
  ) {}

  static async load(name: ModelName, opts: SessionOptions = {}): Promise<ModelSession> {
    const started = performance.now();
    const bytes = readVerifiedModel(name, opts.modelsDir);
    const threads = opts.intraOpNumThreads ?? 1;
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      executionMode: 'sequential',
      ...(threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    });
    return new ModelSession(name, session, performance.now() - started);
  }

  /** Runs the model on one input tensor and returns its outputs by name. */
  async run(input: Float32Array, dims: number[]): Promise<Record<string, Float32Array>> {
    const entry = manifest.models.find((m) => m.name === this.name)!;
    const feeds = { [entry.inputs[0]!.name]: new ort.Tensor('float32', input, dims) };
    const out = await this.session.run(feeds);
    const result: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(out)) result[k] = v.data as Float32Array;
    return result;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
