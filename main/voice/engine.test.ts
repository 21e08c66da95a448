/**
 * Choosing the voice: the config names sherpa-onnx with its model files (a missing file stops
 * start-up naming it), and a sherpa that cannot be loaded leaves the kiosk speaking with espeak-ng
 * and a `voice.engine-fallback` line in the log. The real sherpa synthesis is not tested here: no
 * model file is available offline, and the package is not installed in CI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, parseConfig } from '../app/config';
import { createLogger, memorySink } from '../ground/logger';
import { openVoiceEngine } from './engine';
import { SherpaEngine, sherpaTtsConfig, type SherpaTts } from './sherpa';
import { EspeakEngine, pcmOf, type SpeechEngine } from './voice';

/** A deployment's model directory as a VITS Chinese model ships it (empty files: nothing here reads them). */
function modelDir(): { dir: string; files: { model: string; tokens: string; lexicon: string; dictDir: string; ruleFsts: string[] } } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-sherpa-'));
  for (const f of ['model.onnx', 'tokens.txt', 'lexicon.txt', 'number.fst']) fs.writeFileSync(path.join(dir, f), '');
  fs.mkdirSync(path.join(dir, 'dict'));
  const at = (f: string) => path.join(dir, f);
  return { dir, files: { model: at('model.onnx'), tokens: at('tokens.txt'), lexicon: at('lexicon.txt'), dictDir: at('dict'), ruleFsts: [at('number.fst')] } };
}

function problemsOf(raw: unknown): { key: string; expected: string }[] {
  try {
    parseConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('the config was accepted');
}

function logged() {
  const sink = memorySink();
  return { log: createLogger({ sinks: [sink] }), lines: () => sink.lines.map((l) => JSON.parse(l) as { level: string; msg: string; reason?: string }) };
}

describe('voice config', () => {
  it('speaks with espeak-ng by default, and takes a sherpa model whose files exist', () => {
    expect(defaultConfig().voice).toEqual({ engine: 'espeak-ng' });
    const { files } = modelDir();
    const c = parseConfig({ voice: { engine: 'sherpa', sherpa: files } });
    expect(c.voice.sherpa).toMatchObject({ kind: 'vits', model: files.model, speakerId: 0, numThreads: 1, languages: ['zh'] });
  });

  it('a technician who names a model file that is not there gets a config error naming the key and the file', () => {
    const { files, dir } = modelDir();
    const problems = problemsOf({
      voice: { engine: 'sherpa', sherpa: { ...files, model: path.join(dir, 'vits-zh.onnx'), ruleFsts: [path.join(dir, 'date.fst')] } },
    });
    expect(problems).toEqual([
      { key: 'voice.sherpa.model', expected: `an existing file (not found: ${path.join(dir, 'vits-zh.onnx')})` },
      { key: 'voice.sherpa.ruleFsts.0', expected: `an existing file (not found: ${path.join(dir, 'date.fst')})` },
    ]);
    expect(problemsOf({ voice: { engine: 'sherpa', sherpa: { ...files, dictDir: path.join(dir, 'jieba') } } })[0]!.key).toBe('voice.sherpa.dictDir');
  });

  it('refuses sherpa without a model, a relative path, and a Matcha model without its vocoder', () => {
    const { files } = modelDir();
    expect(problemsOf({ voice: { engine: 'sherpa' } })[0]!.key).toBe('voice.sherpa');
    expect(problemsOf({ voice: { engine: 'sherpa', sherpa: { ...files, tokens: 'tokens.txt' } } })).toEqual([
      { key: 'voice.sherpa.tokens', expected: 'an absolute path' },
    ]);
    expect(problemsOf({ voice: { engine: 'sherpa', sherpa: { ...files, kind: 'matcha' } } })[0]!.key).toBe('voice.sherpa.vocoder');
    expect(problemsOf({ voice: { engine: 'festival' } })[0]!.key).toBe('voice.engine');
    // A sherpa block left in place while the terminal speaks with espeak-ng is not checked against the disk.
    expect(parseConfig({ voice: { engine: 'espeak-ng', sherpa: { ...files, model: '/nowhere/model.onnx' } } }).voice.engine).toBe('espeak-ng');
  });
});

describe('choosing the engine (real sherpa synthesis not tested here: no model file is available offline)', () => {
  const sherpaConfig = () => parseConfig({ voice: { engine: 'sherpa', sherpa: modelDir().files } }).voice;

  it('configured sherpa with the package not installed: the kiosk speaks with espeak-ng and logs voice.engine-fallback', async () => {
    expect(fs.existsSync(path.resolve(import.meta.dirname, '../../node_modules/sherpa-onnx-node'))).toBe(false);
    const { log, lines } = logged();
    const engine = await openVoiceEngine(sherpaConfig(), log);
    expect(engine).toBeInstanceOf(EspeakEngine);
    const warned = lines().filter((l) => l.msg === 'voice.engine-fallback');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 'warn', configured: 'sherpa', using: 'espeak-ng' });
    expect(warned[0]!.reason).toMatch(/sherpa-onnx-node/);
  });

  it('a package directory without the package, or a model the package refuses, falls back the same way', async () => {
    const c = sherpaConfig();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-sherpa-pkg-'));
    const a = logged();
    expect(await openVoiceEngine({ ...c, sherpa: { ...c.sherpa!, packageDir: empty } }, a.log)).toBeInstanceOf(EspeakEngine);
    expect(a.lines().map((l) => l.msg)).toEqual(['voice.engine-fallback']);

    const b = logged();
    const refuses = async () => ({
      OfflineTts: class {
        constructor() {
          throw new Error('model.onnx: Load model from model.onnx failed: Protobuf parsing failed');
        }
      },
    });
    expect(await openVoiceEngine(c, b.log, { loadSherpa: refuses })).toBeInstanceOf(EspeakEngine);
    expect(b.lines()[0]).toMatchObject({ msg: 'voice.engine-fallback', reason: expect.stringMatching(/Protobuf parsing failed/) });
  });

  it('hands sherpa-onnx-node the model as its OfflineTts config names it', () => {
    const { files } = modelDir();
    const c = parseConfig({ voice: { engine: 'sherpa', sherpa: { ...files, numThreads: 2 } } }).voice.sherpa!;
    expect(sherpaTtsConfig(c)).toEqual({
      model: {
        vits: { model: files.model, tokens: files.tokens, lexicon: files.lexicon, dictDir: files.dictDir },
        numThreads: 2,
        provider: 'cpu',
        debug: false,
      },
      ruleFsts: files.ruleFsts[0],
      maxNumSentences: 1,
    });
    const matcha = parseConfig({ voice: { engine: 'sherpa', sherpa: { ...files, kind: 'matcha', vocoder: files.lexicon, ruleFsts: [] } } }).voice.sherpa!;
    expect(sherpaTtsConfig(matcha).model).toMatchObject({ matcha: { acousticModel: files.model, vocoder: files.lexicon } });
    expect(sherpaTtsConfig(matcha)).not.toHaveProperty('ruleFsts');
  });

  it('turns the samples sherpa returns into WAV, speaks the languages the model lacks with espeak-ng, and times out', async () => {
    const asked: unknown[] = [];
    const tts: SherpaTts = {
      generate: () => {
        throw new Error('the engine uses generateAsync when there is one');
      },
      generateAsync: async (req) => (asked.push(req), { sampleRate: 16000, samples: Float32Array.from({ length: 8000 }, (_, i) => 0.5 * Math.sin(i / 5)) }),
    };
    const heard: string[] = [];
    const other: SpeechEngine = { name: 'espeak-ng', synthesize: async (t) => (heard.push(t), Buffer.from('RIFF')) };
    const engine = new SherpaEngine(tts, { speakerId: 3, languages: ['zh'], other });
    const { rate, samples } = pcmOf(await engine.synthesize('请插入社保卡', 'zh', 0.85));
    expect(rate).toBe(16000);
    expect(samples.length).toBe(8000);
    expect(Math.max(...samples)).toBeGreaterThan(16000);
    expect(asked).toEqual([{ text: '请插入社保卡', sid: 3, speed: 0.85, enableExternalBuffer: false }]);
    await engine.synthesize('Please insert your card', 'en', 1);
    expect(heard).toEqual(['Please insert your card']);

    const stuck = new SherpaEngine(
      { generate: () => ({ samples: new Float32Array(), sampleRate: 0 }), generateAsync: () => new Promise(() => undefined) },
      {
        speakerId: 0,
        languages: ['zh'],
        other,
        timeoutMs: 50,
      },
    );
    await expect(stuck.synthesize('你好', 'zh', 1)).rejects.toMatchObject({ code: 'VOICE_TIMEOUT' });
  });
});
