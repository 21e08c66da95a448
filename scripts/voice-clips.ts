/**
 * Renders the fixed prompts (main/voice/prompts.ts) from the message catalogues, in every
 * language, with the engine and rate the kiosk uses live, into out/voice: one WAV per distinct
 * text and manifest.json (main/voice/clips.ts). `npm run build` runs it after electron-vite.
 *
 *   tsx scripts/voice-clips.ts [--out DIR]   render (clips already there for the same text are kept)
 *   tsx scripts/voice-clips.ts --list        print the fixed prompts and their clip hashes as JSON
 *
 * Without espeak-ng the manifest is empty and stderr says so: the kiosk then speaks every prompt
 * through its live engine, or the browser's voice.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clipHash, renderClips } from '../main/voice/clips';
import { fixedPrompts, PROMPT_RATE, type PromptLang } from '../main/voice/prompts';
import { EspeakEngine, speakable } from '../main/voice/voice';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const dir = path.resolve(outAt >= 0 && args[outAt + 1] ? args[outAt + 1]! : path.join(root, 'out', 'voice'));

/** The renderer's catalogues, loaded at run time: the node project does not compile renderer files. */
async function catalogs(): Promise<Record<PromptLang, unknown>> {
  const load = async (file: string, name: string) =>
    ((await import(pathToFileURL(path.join(root, 'renderer/src/i18n', file)).href)) as Record<string, unknown>)[name];
  return { zh: await load('zh-CN.ts', 'zhCN'), en: await load('en.ts', 'en') };
}

function espeakVersion(): string | null {
  try {
    return execFileSync('espeak-ng', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

const prompts = fixedPrompts(await catalogs());

if (args.includes('--list')) {
  const listed = prompts.map((p) => ({ ...p, hash: clipHash(p.lang, PROMPT_RATE, speakable(p.text, p.lang)) }));
  process.stdout.write(JSON.stringify(listed, null, 2) + '\n');
} else {
  const started = Date.now();
  const engine = new EspeakEngine();
  const version = espeakVersion();
  if (!version)
    process.stderr.write(`voice-clips: espeak-ng is not installed: writing an empty manifest to ${dir}; the kiosk will speak through its live engine\n`);
  const r = await renderClips({ dir, prompts: version ? prompts : [], engine, engineVersion: version, rate: PROMPT_RATE });
  const count = Object.keys(r.manifest.clips).length;
  process.stderr.write(
    `voice-clips: ${count} clips for ${prompts.length} prompts in ${dir} (${r.rendered} rendered, ${r.reused} kept, ${r.removed} removed) in ${Date.now() - started} ms\n`,
  );
}
