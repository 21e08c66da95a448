/**
 * A voice that works offline: prompts are rendered to speech in main by an engine behind one
 * interface and played by the page, so a kiosk speaks even where the browser has no voices (Linux
 * Chromium usually has none). The engine available everywhere is Debian's `espeak-ng` (Mandarin
 * voice `cmn`); a deployment may put a better one behind the same interface.
 *
 * Nothing personal is spoken: money amounts and ID numbers (whole or masked) are replaced by
 * "请看屏幕" before the text reaches an engine or a clip is looked up — the caption on screen
 * shows them, masked. The fixed prompts are prerecorded at build time (clips.ts).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ClipLibrary } from './clips';

export interface SpeechEngine {
  readonly name: string;
  /** WAV bytes of `text` spoken in `lang` at `rate` (1 = normal). Rejects when the engine fails. */
  synthesize(text: string, lang: 'zh' | 'en', rate: number): Promise<Buffer>;
}

export class VoiceError extends Error {
  constructor(
    readonly code: 'VOICE_UNAVAILABLE' | 'VOICE_FAILED' | 'VOICE_TIMEOUT' | 'VOICE_TEXT_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'VoiceError';
  }
}

const ID_NUMBER = /(?<![\dA-Za-z])\d{6}(?:\d{8}|\*{8})(?:\d{3}[\dXx]|\*{0,3}\d{1,4}[\dXx]?)(?![\dA-Za-z])/g;
const MASKED_ID = /\d{2,6}\*{4,}\d{0,4}[\dXx]?/g;
const MONEY = /[￥¥]\s?-?\d[\d,]*(?:\.\d+)?|-?\d[\d,]*(?:\.\d+)?\s?元/g;
const LONG_NUMBER = /\d{9,}/g;

/** The text as it may be spoken: no amounts, no ID numbers, no long numbers (card, phone, account). */
export function speakable(text: string, lang: 'zh' | 'en'): string {
  const hidden =
    lang === 'zh'
      ? { id: '证件号码请看屏幕', money: '金额请看屏幕', number: '号码请看屏幕' }
      : { id: 'the ID number on screen', money: 'the amount on screen', number: 'the number on screen' };
  return text.replace(ID_NUMBER, hidden.id).replace(MASKED_ID, hidden.id).replace(MONEY, hidden.money).replace(LONG_NUMBER, hidden.number);
}

/** espeak-ng as a child process: `-v cmn` (or `en-us`), words a minute from the rate, WAV on stdout. */
export class EspeakEngine implements SpeechEngine {
  readonly name = 'espeak-ng';
  constructor(
    private readonly binary = 'espeak-ng',
    private readonly timeoutMs = 10_000,
  ) {}

  synthesize(text: string, lang: 'zh' | 'en', rate: number): Promise<Buffer> {
    const wpm = String(Math.round(Math.min(2, Math.max(0.5, rate)) * 150));
    return new Promise<Buffer>((resolve, reject) => {
      const child = spawn(this.binary, ['-v', lang === 'zh' ? 'cmn' : 'en-us', '-s', wpm, '--stdout'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      let size = 0;
      let err = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new VoiceError('VOICE_TIMEOUT', `espeak-ng took more than ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        size += d.length;
        if (size > 20 * 1024 * 1024) child.kill('SIGKILL');
        else chunks.push(d);
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()).slice(0, 2000));
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new VoiceError(e.code === 'ENOENT' ? 'VOICE_UNAVAILABLE' : 'VOICE_FAILED', `espeak-ng: ${e.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0 && size > 44) resolve(Buffer.concat(chunks));
        else reject(new VoiceError('VOICE_FAILED', `espeak-ng exited with ${code}: ${err.trim().slice(0, 200)}`));
      });
      // The text goes on stdin, never on the command line (which every local user can read).
      child.stdin.on('error', () => undefined);
      child.stdin.end(text);
    });
  }
}

/**
 * Prompts to audio: masked, then from a prerecorded clip when the exact text has one (and the
 * clips come from this engine), else through the engine; cached (the same prompt is rendered
 * once), and at most one rendering at a time so a burst of prompts cannot pile up processes.
 */
export class VoiceService {
  private readonly cache = new Map<string, Buffer>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly clips: ClipLibrary | null;
  private readonly maxCached: number;

  constructor(
    private readonly engine: SpeechEngine,
    opts: { clips?: ClipLibrary; maxCached?: number } = {},
  ) {
    // Clips from another engine would speak some prompts in a different voice from the rest.
    this.clips = opts.clips && opts.clips.engine === engine.name ? opts.clips : null;
    this.maxCached = opts.maxCached ?? 64;
  }

  get engineName(): string {
    return this.engine.name;
  }

  async say(text: string, lang: 'zh' | 'en', rate = 1): Promise<{ wav: Buffer; spoken: string; from: 'clip' | 'engine' }> {
    if (typeof text !== 'string' || !text.trim() || text.length > 1000) throw new VoiceError('VOICE_TEXT_INVALID', 'a prompt has 1 to 1000 characters');
    const spoken = speakable(text, lang);
    const clip = this.clips?.find(lang, rate, spoken);
    if (clip) return { wav: clip, spoken, from: 'clip' };
    const key = createHash('sha256').update(`${this.engine.name}|${lang}|${rate}|${spoken}`).digest('hex');
    const hit = this.cache.get(key);
    if (hit) return { wav: hit, spoken, from: 'engine' };
    const run = this.queue.then(() => this.engine.synthesize(spoken, lang, rate));
    this.queue = run.catch(() => undefined);
    const wav = await run;
    this.cache.set(key, wav);
    while (this.cache.size > this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    return { wav, spoken, from: 'engine' };
  }
}

/** The samples of a 16-bit PCM WAV (what espeak-ng writes), for tests and the build's clip check. */
export function pcmOf(wav: Buffer): { rate: number; samples: Int16Array } {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let off = 12;
  let rate = 0;
  let bits = 0;
  let channels = 1;
  while (off + 8 <= wav.length) {
    const id = wav.toString('ascii', off, off + 4);
    let len = wav.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = wav.readUInt16LE(off + 10);
      rate = wav.readUInt32LE(off + 12);
      bits = wav.readUInt16LE(off + 22);
    } else if (id === 'data') {
      // espeak-ng writing to a pipe cannot seek back: its data length may read 0xffffffff.
      if (len === 0 || off + 8 + len > wav.length) len = wav.length - off - 8;
      if (bits !== 16 || channels !== 1) throw new Error(`expected 16-bit mono, got ${bits}-bit ${channels} channel(s)`);
      const body = wav.subarray(off + 8, off + 8 + len - (len % 2));
      return { rate, samples: new Int16Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length)) };
    }
    off += 8 + len + (len % 2);
  }
  throw new Error('a WAV file without data');
}

/** A 16-bit PCM mono WAV of float samples in [-1, 1] (what sherpa-onnx returns). */
export function wavOf(samples: Float32Array, rate: number): Buffer {
  const wav = Buffer.alloc(44 + samples.length * 2);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + samples.length * 2, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) wav.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767), 44 + i * 2);
  return wav;
}
