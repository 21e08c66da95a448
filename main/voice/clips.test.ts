/**
 * Prerecorded prompts: the build's generator (scripts/voice-clips.ts, run here as the build runs
 * it) renders every fixed prompt from its current text, `voice.say` plays those clips without
 * starting the engine, and anything else — another text, a clip gone missing or damaged — is
 * spoken by the engine, with a warning for the damage, never a crash.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher } from '../bridge/dispatcher';
import { createLogger, memorySink } from '../ground/logger';
import { CLIP_MANIFEST, ClipLibrary, type ClipManifest } from './clips';
import { voiceHandlers } from './handlers';
import { PROMPT_RATE, type FixedPrompt } from './prompts';
import { EspeakEngine, pcmOf, VoiceService, type SpeechEngine } from './voice';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

const espeakAvailable = (() => {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The real engine, with every call it is asked to make written down. */
class CountedEngine implements SpeechEngine {
  readonly heard: string[] = [];
  constructor(private readonly inner: SpeechEngine = new EspeakEngine()) {}
  get name() {
    return this.inner.name;
  }
  synthesize(text: string, lang: 'zh' | 'en', rate: number): Promise<Buffer> {
    this.heard.push(text);
    return this.inner.synthesize(text, lang, rate);
  }
}

function terminal(clipDir: string, engine: SpeechEngine = new CountedEngine()) {
  const sink = memorySink();
  const log = createLogger({ sinks: [sink] });
  const voice = new VoiceService(engine, { clips: ClipLibrary.open(clipDir, log) });
  const bridge = new Dispatcher(voiceHandlers(voice, log), log);
  const say = async (text: string, lang: 'zh' | 'en' = 'zh', rate = PROMPT_RATE) => {
    const r = await bridge.dispatch('voice.say', { text, lang, rate }, { transport: 'local' });
    if (!r.ok) throw new Error(`voice.say failed: ${JSON.stringify(r)}`);
    return r.value as { audio: string | null; engine: string | null; spoken: string | null };
  };
  const warnings = () => sink.lines.map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn');
  return { say, warnings };
}

const manifestIn = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, CLIP_MANIFEST), 'utf8')) as ClipManifest;
const copyOf = (dir: string) => {
  const to = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-clips-'));
  fs.cpSync(dir, to, { recursive: true });
  return to;
};

describe.skipIf(!espeakAvailable)('prerecorded prompts (needs espeak-ng: .ci/run installs it)', () => {
  let built: string;
  let current: (FixedPrompt & { hash: string })[];

  beforeAll(() => {
    built = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-clips-'));
    execFileSync(tsx, ['scripts/voice-clips.ts', '--out', built], { cwd: root, stdio: 'pipe', timeout: 60_000 });
    current = JSON.parse(execFileSync(tsx, ['scripts/voice-clips.ts', '--list'], { cwd: root, encoding: 'utf8', timeout: 60_000 }));
  });

  it('the generator renders every fixed prompt, in Chinese and English, to a clip named by its current text', () => {
    const m = manifestIn(built);
    expect(m.engine).toBe('espeak-ng');
    expect(m.rate).toBe(PROMPT_RATE);
    expect(new Set(current.map((p) => p.lang))).toEqual(new Set(['zh', 'en']));
    for (const p of current) {
      const clip = m.clips[p.hash];
      expect(clip, `${p.key} (${p.lang})`).toBeDefined();
      expect(clip!.keys).toContain(p.key);
      expect(clip!.text).toBe(p.text);
      const { rate, samples } = pcmOf(fs.readFileSync(path.join(built, clip!.file)));
      expect(samples.length / rate).toBeGreaterThan(0.4);
    }
    // Nothing else in the directory: one file per distinct text, and the manifest.
    expect(fs.readdirSync(built).length).toBe(Object.keys(m.clips).length + 1);
  });

  it('voice.say of a fixed prompt plays its clip without starting the engine, in both languages', async () => {
    const engine = new CountedEngine();
    const { say, warnings } = terminal(built, engine);
    const m = manifestIn(built);
    for (const p of current) {
      const r = await say(p.text, p.lang);
      expect(Buffer.from(r.audio!, 'base64').equals(fs.readFileSync(path.join(built, m.clips[p.hash]!.file))), p.key).toBe(true);
      expect(r.engine).toBe('espeak-ng (prerecorded)');
      expect(r.spoken).toBe(p.text);
    }
    expect(engine.heard).toEqual([]);
    expect(warnings()).toEqual([]);
  });

  it('a text that is not a fixed prompt, or a fixed one at another rate, goes to the engine (masked as ever)', async () => {
    const engine = new CountedEngine();
    const { say } = terminal(built, engine);
    const r = await say('本次应付￥20.00，请扫码支付');
    expect(r.engine).toBe('espeak-ng');
    expect(r.spoken).toBe('本次应付金额请看屏幕，请扫码支付');
    expect(pcmOf(Buffer.from(r.audio!, 'base64')).samples.length).toBeGreaterThan(0);
    await say(current[0]!.text, current[0]!.lang, 1);
    expect(engine.heard).toEqual(['本次应付金额请看屏幕，请扫码支付', current[0]!.text]);
  });

  it('clips rendered by espeak-ng are not played when the terminal speaks with another engine', async () => {
    const other = new CountedEngine({ name: 'sherpa-onnx', synthesize: (t, l, r) => new EspeakEngine().synthesize(t, l, r) });
    const { say } = terminal(built, other);
    expect((await say(current[0]!.text, current[0]!.lang)).engine).toBe('sherpa-onnx');
    expect(other.heard).toEqual([current[0]!.text]);
  });

  it('a clip that is missing or damaged is spoken by the engine with a warning; a damaged manifest too', async () => {
    const dir = copyOf(built);
    const m = manifestIn(dir);
    const [gone, damaged, truncated] = [current[0]!, current[1]!, current[2]!];
    fs.rmSync(path.join(dir, m.clips[gone.hash]!.file));
    const file = path.join(dir, m.clips[damaged.hash]!.file);
    fs.writeFileSync(file, Buffer.alloc(fs.statSync(file).size, 0x55));
    fs.truncateSync(path.join(dir, m.clips[truncated.hash]!.file), 20);
    const engine = new CountedEngine();
    const { say, warnings } = terminal(dir, engine);
    for (const p of [gone, damaged, truncated, gone]) {
      const r = await say(p.text, p.lang);
      expect(r.engine).toBe('espeak-ng');
      expect(pcmOf(Buffer.from(r.audio!, 'base64')).samples.length).toBeGreaterThan(0);
    }
    // Each damaged clip is reported once; the engine rendered each text once (then the cache).
    expect(warnings().map((w) => w.msg)).toEqual(['voice.clip-unusable', 'voice.clip-unusable', 'voice.clip-unusable']);
    expect(engine.heard).toEqual([gone.text, damaged.text, truncated.text]);
    // The other clips still play.
    expect((await say(current[3]!.text, current[3]!.lang)).engine).toBe('espeak-ng (prerecorded)');

    fs.writeFileSync(path.join(dir, CLIP_MANIFEST), '{"version": 1, "clips": ');
    const broken = terminal(dir, new CountedEngine());
    expect((await broken.say(current[3]!.text, current[3]!.lang)).engine).toBe('espeak-ng');
    expect(broken.warnings().map((w) => w.msg)).toEqual(['voice.clips-unusable']);
  });

  it('a second build keeps the clips whose text did not change and removes those no prompt names', () => {
    const dir = copyOf(built);
    fs.writeFileSync(path.join(dir, `${'0'.repeat(64)}.wav`), 'stale');
    const run = spawnSync(tsx, ['scripts/voice-clips.ts', '--out', dir], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/\(0 rendered, \d+ kept, 1 removed\)/);
    expect(fs.existsSync(path.join(dir, `${'0'.repeat(64)}.wav`))).toBe(false);
    expect(manifestIn(dir)).toEqual(manifestIn(built));
  });

  // `npm run build` puts the clips in out/voice; after a prompt's text changes they are stale until the next build.
  const outVoice = path.join(root, 'out', 'voice');
  const builtHere = fs.existsSync(path.join(outVoice, CLIP_MANIFEST)) && manifestIn(outVoice).engineVersion !== null;
  it.skipIf(!builtHere)('the clips in out/voice match every fixed prompt as the catalogues say it now (else: npm run build)', () => {
    const m = manifestIn(outVoice);
    const stale = current.filter((p) => !m.clips[p.hash]).map((p) => `${p.key} (${p.lang}): "${p.text}"`);
    expect(stale, 'prompts whose clip is missing or from an older text: run npm run build').toEqual([]);
    const library = ClipLibrary.open(outVoice);
    for (const p of current) expect(library.find(p.lang, PROMPT_RATE, p.text), p.key).not.toBeNull();
  });
});
