/**
 * sherpa-onnx (npm `sherpa-onnx-node`, tested against 1.13.8) as a more natural voice than
 * espeak-ng, with a VITS or Matcha model a deployment supplies. The package brings ~100 MB of
 * native binaries, so it is not a dependency of E-Station: a deployment installs it, and it is
 * loaded only when the config names it (engine.ts).
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { VoiceError, wavOf, type SpeechEngine } from './voice';
import type { SherpaConfig } from './config';

export const SHERPA_PACKAGE = 'sherpa-onnx-node';

interface SherpaAudio {
  samples: Float32Array;
  sampleRate: number;
}
interface SherpaRequest {
  text: string;
  sid: number;
  speed: number;
  /** Electron refuses array buffers that point into native memory: always copy. */
  enableExternalBuffer: boolean;
}
/** What this engine uses of sherpa-onnx-node's OfflineTts. */
export interface SherpaTts {
  generate(req: SherpaRequest): SherpaAudio;
  generateAsync?(req: SherpaRequest): Promise<SherpaAudio>;
}
export interface SherpaModule {
  OfflineTts: new (config: Record<string, unknown>) => SherpaTts;
}

/** Loads the package: from `packageDir` when the config names one, else from the app's node_modules. */
export type LoadSherpa = (packageDir: string | undefined) => Promise<unknown>;

export const importSherpa: LoadSherpa = async (packageDir) => {
  if (packageDir) return createRequire(path.join(packageDir, 'package.json'))(packageDir) as unknown;
  // Not a literal specifier: the bundler would try to resolve a package that is, by design, usually absent.
  return import(/* @vite-ignore */ SHERPA_PACKAGE);
};

/** The OfflineTts config sherpa-onnx-node takes for this model. */
export function sherpaTtsConfig(c: SherpaConfig): Record<string, unknown> {
  // Fields left out, not undefined: the addon reads whichever are present.
  const given = (o: Record<string, string | undefined>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const common = { tokens: c.tokens, lexicon: c.lexicon, dataDir: c.dataDir, dictDir: c.dictDir };
  const model =
    c.kind === 'vits' ? { vits: given({ model: c.model, ...common }) } : { matcha: given({ acousticModel: c.model, vocoder: c.vocoder, ...common }) };
  return {
    model: { ...model, numThreads: c.numThreads, provider: 'cpu', debug: false },
    ...(c.ruleFsts.length ? { ruleFsts: c.ruleFsts.join(',') } : {}),
    maxNumSentences: 1,
  };
}

export class SherpaEngine implements SpeechEngine {
  readonly name = 'sherpa-onnx';

  constructor(
    private readonly tts: SherpaTts,
    private readonly opts: { speakerId: number; languages: readonly ('zh' | 'en')[]; other: SpeechEngine; timeoutMs?: number },
  ) {}

  async synthesize(text: string, lang: 'zh' | 'en', rate: number): Promise<Buffer> {
    if (!this.opts.languages.includes(lang)) return this.opts.other.synthesize(text, lang, rate);
    const req: SherpaRequest = { text, sid: this.opts.speakerId, speed: Math.min(2, Math.max(0.5, rate)), enableExternalBuffer: false };
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const audio = await Promise.race([
        this.tts.generateAsync ? this.tts.generateAsync(req) : Promise.resolve().then(() => this.tts.generate(req)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new VoiceError('VOICE_TIMEOUT', `sherpa-onnx took more than ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (!audio?.samples?.length || !(audio.sampleRate > 0)) throw new VoiceError('VOICE_FAILED', 'sherpa-onnx returned no audio');
      return wavOf(audio.samples, audio.sampleRate);
    } catch (err) {
      if (err instanceof VoiceError) throw err;
      throw new VoiceError('VOICE_FAILED', `sherpa-onnx: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Loads the package and the model; rejects with the reason when either cannot be loaded. */
export async function openSherpaEngine(c: SherpaConfig, other: SpeechEngine, load: LoadSherpa = importSherpa): Promise<SherpaEngine> {
  const mod = (await load(c.packageDir)) as Partial<SherpaModule> & { default?: Partial<SherpaModule> };
  const api = typeof mod.OfflineTts === 'function' ? mod : mod.default;
  if (typeof api?.OfflineTts !== 'function') throw new Error(`${SHERPA_PACKAGE} has no OfflineTts: not the package this engine was written for`);
  const tts = new api.OfflineTts(sherpaTtsConfig(c));
  return new SherpaEngine(tts, { speakerId: c.speakerId, languages: c.languages, other });
}
