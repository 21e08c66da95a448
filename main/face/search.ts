/**
 * 1:N similarity search: one Gemm (query · galleryᵀ) in ONNX Runtime, whose SIMD kernels score
 * 100k 512-d embeddings in milliseconds where a JavaScript loop needs tens.
 */
import ort from 'onnxruntime-node';
import { buildModel } from '../../models/onnx-writer';
import { EMBEDDING_DIM } from '../../models/face-engine';

export class GallerySearch {
  private matrix: Float32Array = new Float32Array(0);
  private rows = 0;
  private tensor: ort.Tensor | null = null;

  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(threads = 2): Promise<GallerySearch> {
    const model = buildModel({
      inputs: [
        { name: 'query', dims: ['q', EMBEDDING_DIM] },
        { name: 'gallery', dims: ['n', EMBEDDING_DIM] },
      ],
      outputs: [{ name: 'scores', dims: ['q', 'n'] }],
      nodes: [{ op: 'Gemm', inputs: ['query', 'gallery'], outputs: ['scores'], intAttrs: { transB: 1 } }],
    });
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      logSeverityLevel: 3,
      // Never spin: on a 2-core terminal a spinning pool starves the camera pipeline.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    return new GallerySearch(session);
  }

  /** Replaces the gallery: `embeddings` is rows x 512, row-major, L2-normalised. */
  load(embeddings: Float32Array): void {
    if (embeddings.length % EMBEDDING_DIM !== 0) throw new RangeError('gallery is not a whole number of embeddings');
    this.matrix = embeddings;
    this.rows = embeddings.length / EMBEDDING_DIM;
    this.tensor = this.rows ? new ort.Tensor('float32', this.matrix, [this.rows, EMBEDDING_DIM]) : null;
  }

  get size(): number {
    return this.rows;
  }

  /** Cosine of the query against every row. */
  async scores(query: Float32Array): Promise<Float32Array> {
    if (!this.tensor) return new Float32Array(0);
    const out = await this.session.run({ query: new ort.Tensor('float32', query, [1, EMBEDDING_DIM]), gallery: this.tensor });
    return out.scores!.data as Float32Array;
  }

  /** The best `k` rows, highest first. */
  async top(query: Float32Array, k: number): Promise<{ row: number; score: number }[]> {
    const s = await this.scores(query);
    const best: { row: number; score: number }[] = [];
    for (let i = 0; i < s.length; i++) {
      const v = s[i]!;
      if (best.length < k) {
        best.push({ row: i, score: v });
        best.sort((a, b) => b.score - a.score);
      } else if (v > best[k - 1]!.score) {
        best[k - 1] = { row: i, score: v };
        best.sort((a, b) => b.score - a.score);
      }
    }
    return best;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
