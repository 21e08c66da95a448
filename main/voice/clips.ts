/**
 * Prerecorded clips of the fixed prompts: rendered at build time (scripts/voice-clips.ts) with the
 * engine and settings the kiosk uses live, one WAV per distinct text, named by the hash of
 * language, rate and spoken text, listed in manifest.json. At run time a prompt whose exact hash
 * is listed plays from its clip; a clip that is missing or damaged is skipped with a warning and
 * the prompt goes to the engine, as any other text does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Logger } from '../ground/logger';
import { pcmOf, speakable, type SpeechEngine } from './voice';
import type { FixedPrompt, PromptLang } from './prompts';

export const CLIP_MANIFEST = 'manifest.json';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const HASH = /^[0-9a-f]{64}$/;

/** The name of a clip: the text exactly as spoken (masked), its language and its rate. */
export function clipHash(lang: PromptLang, rate: number, spoken: string): string {
  return sha256(`${lang}\n${rate}\n${spoken}`);
}

const manifestSchema = z.object({
  version: z.literal(1),
  /** The engine that rendered the clips; the kiosk plays them only when it speaks with the same one. */
  engine: z.string(),
  engineVersion: z.string().nullable(),
  rate: z.number(),
  clips: z.record(
    z.string().regex(HASH),
    z.object({
      // A bare file name: a manifest cannot point outside its directory.
      file: z.string().regex(/^[0-9a-f]{64}\.wav$/),
      keys: z.array(z.string()).min(1),
      lang: z.enum(['zh', 'en']),
      text: z.string(),
      sha256: z.string().regex(HASH),
      bytes: z.number().int().positive(),
    }),
  ),
});
export type ClipManifest = z.infer<typeof manifestSchema>;

function readManifest(dir: string): ClipManifest | null {
  const file = path.join(dir, CLIP_MANIFEST);
  if (!fs.existsSync(file)) return null;
  return manifestSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** The clips a terminal has: looked up by exact hash, each file checked against the manifest before it plays. */
export class ClipLibrary {
  private readonly unusable = new Set<string>();

  private constructor(
    readonly dir: string | null,
    private readonly manifest: ClipManifest | null,
    private readonly log: Pick<Logger, 'warn'> | null,
  ) {}

  static none(): ClipLibrary {
    return new ClipLibrary(null, null, null);
  }

  /** The library in `dir`; without a readable manifest there, an empty one (and a warning if the manifest is damaged). */
  static open(dir: string | null, log: Pick<Logger, 'warn'> | null = null): ClipLibrary {
    if (!dir) return ClipLibrary.none();
    try {
      return new ClipLibrary(dir, readManifest(dir), log);
    } catch (err) {
      log?.warn('voice.clips-unusable', { dir, reason: (err as Error).message.slice(0, 200) });
      return ClipLibrary.none();
    }
  }

  get engine(): string | null {
    return this.manifest?.engine ?? null;
  }

  get size(): number {
    return this.manifest ? Object.keys(this.manifest.clips).length : 0;
  }

  /** The clip of exactly this spoken text, or null: not prerecorded, or its file is missing or damaged (warned once). */
  find(lang: PromptLang, rate: number, spoken: string): Buffer | null {
    const hash = clipHash(lang, rate, spoken);
    const entry = this.manifest?.clips[hash];
    if (!entry || !this.dir || this.unusable.has(hash)) return null;
    try {
      const wav = fs.readFileSync(path.join(this.dir, entry.file));
      if (wav.length !== entry.bytes || sha256(wav) !== entry.sha256) throw new Error('the file differs from the manifest');
      if (pcmOf(wav).samples.length === 0) throw new Error('no samples');
      return wav;
    } catch (err) {
      this.unusable.add(hash);
      this.log?.warn('voice.clip-unusable', { keys: entry.keys, lang, file: entry.file, reason: (err as Error).message.slice(0, 200) });
      return null;
    }
  }
}

/**
 * Where the build put the clips: ESTATION_VOICE_DIR, else the packaged app's resources/voice, else
 * out/voice next to the bundle or the checkout. Null when none has a manifest.
 */
export function findClipDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.ESTATION_VOICE_DIR) return path.resolve(env.ESTATION_VOICE_DIR);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  const candidates = [...(resources ? [path.join(resources, 'voice')] : []), path.resolve(here, '../voice'), path.resolve(here, '../../out/voice')];
  return candidates.find((d) => fs.existsSync(path.join(d, CLIP_MANIFEST))) ?? null;
}

export interface RenderResult {
  manifest: ClipManifest;
  rendered: number;
  reused: number;
  removed: number;
}

/**
 * Renders every prompt (masked, as the service would speak it) into `dir` and writes the manifest
 * last. A clip already there from the same engine version, rate and text is kept; files no prompt
 * names any more are removed. With no prompts, the manifest is empty and so is the directory.
 */
export async function renderClips(opts: {
  dir: string;
  prompts: readonly FixedPrompt[];
  engine: SpeechEngine;
  engineVersion: string | null;
  rate: number;
  concurrency?: number;
}): Promise<RenderResult> {
  fs.mkdirSync(opts.dir, { recursive: true });
  let previous: ClipManifest | null = null;
  try {
    previous = readManifest(opts.dir);
  } catch {
    previous = null;
  }
  const reusable = previous && previous.engine === opts.engine.name && previous.engineVersion === opts.engineVersion && previous.rate === opts.rate;

  const wanted = new Map<string, { lang: PromptLang; text: string; keys: string[] }>();
  for (const p of opts.prompts) {
    const text = speakable(p.text, p.lang);
    const hash = clipHash(p.lang, opts.rate, text);
    const seen = wanted.get(hash);
    if (seen) seen.keys.push(p.key);
    else wanted.set(hash, { lang: p.lang, text, keys: [p.key] });
  }

  const clips: ClipManifest['clips'] = {};
  let rendered = 0;
  let reused = 0;
  const jobs = [...wanted.entries()];
  const work = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const [hash, { lang, text, keys }] = job;
      const file = `${hash}.wav`;
      const target = path.join(opts.dir, file);
      const old = reusable ? previous!.clips[hash] : undefined;
      const kept = old && fs.existsSync(target) ? fs.readFileSync(target) : null;
      let wav: Buffer;
      if (kept && sha256(kept) === old!.sha256) {
        wav = kept;
        reused++;
      } else {
        wav = await opts.engine.synthesize(text, lang, opts.rate);
        pcmOf(wav);
        fs.writeFileSync(target, wav);
        rendered++;
      }
      clips[hash] = { file, keys, lang, text, sha256: sha256(wav), bytes: wav.length };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, work));

  let removed = 0;
  for (const f of fs.readdirSync(opts.dir)) {
    if (f.endsWith('.wav') && !clips[f.slice(0, -4)]) {
      fs.rmSync(path.join(opts.dir, f));
      removed++;
    }
  }
  const sorted = Object.fromEntries(Object.entries(clips).sort(([, a], [, b]) => a.lang.localeCompare(b.lang) || a.keys[0]!.localeCompare(b.keys[0]!)));
  const manifest: ClipManifest = { version: 1, engine: opts.engine.name, engineVersion: opts.engineVersion, rate: opts.rate, clips: sorted };
  const tmp = path.join(opts.dir, `${CLIP_MANIFEST}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  fs.renameSync(tmp, path.join(opts.dir, CLIP_MANIFEST));
  return { manifest, rendered, reused, removed };
}
