/**
 * The list of fixed prompts against the screens that speak them: a key the kiosk says without
 * parameters that is missing from the list fails here, as does a listed key a catalogue lacks or
 * fills with parameters, and a renderer that asks for another rate than the clips were made at.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXED_PROMPT_KEYS, fixedPrompts, PROMPT_RATE, type FixedPrompt } from './prompts';

const root = path.resolve(import.meta.dirname, '../..');
const rendererSrc = path.join(root, 'renderer', 'src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/**
 * Keys spoken as they are: `t('key')` without options inside a `say(…)` call, unless it is only
 * part of a longer sentence (`t('a', …) + '，' + t('b')` speaks neither alone) or a parameter of
 * another text (`t('a', { name: t('b') })`).
 */
function keysSpokenAlone(source: string): string[] {
  const keys: string[] = [];
  for (const call of source.matchAll(/(?<![\w.])say\(/g)) {
    const start = call.index + call[0].length;
    let depth = 1;
    let end = start;
    for (; end < source.length && depth > 0; end++) depth += source[end] === '(' ? 1 : source[end] === ')' ? -1 : 0;
    const arg = source.slice(start, end - 1);
    for (const t of arg.matchAll(/(?<![\w.])t\('([\w.]+)'\)/g)) {
      const before = arg.slice(0, t.index).trimEnd();
      const after = arg.slice(t.index + t[0].length).trimStart();
      const inOptions = before.split('{').length !== before.split('}').length;
      if (!inOptions && !before.endsWith('+') && !after.startsWith('+')) keys.push(t[1]!);
    }
  }
  return keys;
}

describe('the fixed prompts', () => {
  it('every catalogue key a screen speaks without parameters is in FIXED_PROMPT_KEYS, so the build prerecords it', () => {
    const spoken = new Map<string, string>();
    for (const file of sources(rendererSrc)) for (const key of keysSpokenAlone(fs.readFileSync(file, 'utf8'))) spoken.set(key, path.relative(root, file));
    // The scan sees the prompts we know are spoken (else it is the scan that is broken).
    expect([...spoken.keys()]).toEqual(expect.arrayContaining(['attract.prompt', 'premium.scan', 'family.notDone']));
    const missing = [...spoken].filter(([key]) => !(FIXED_PROMPT_KEYS as readonly string[]).includes(key)).map(([key, file]) => `${key} (${file})`);
    expect(missing, 'spoken without parameters but not prerecorded: add to FIXED_PROMPT_KEYS in main/voice/prompts.ts').toEqual([]);
  });

  it('the scan takes a key spoken alone or in a choice, not one with parameters or inside a longer sentence', () => {
    const screen = `
      say(t('a.alone'));
      say(ok ? okText : (r.message ?? t('b.inChoice')));
      say(t('c.withParams', { cash: formatMoney(r.cash) }));
      say(t('d.greeting', { name }) + '，' + t('e.heading'));
      say(t('g.greeting', { name: maskedName ?? t('h.resident') }));
      onSay(t('f.notSay'));`;
    expect(keysSpokenAlone(screen)).toEqual(['a.alone', 'b.inChoice']);
  });

  it('every listed key has a text without parameters in both catalogues', () => {
    const listed = JSON.parse(
      execFileSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/voice-clips.ts', '--list'], { cwd: root, encoding: 'utf8', timeout: 60_000 }),
    ) as FixedPrompt[];
    expect(listed).toHaveLength(FIXED_PROMPT_KEYS.length * 2);
    for (const lang of ['zh', 'en'] as const) expect(listed.filter((p) => p.lang === lang).map((p) => p.key)).toEqual([...FIXED_PROMPT_KEYS]);
    expect(listed.filter((p) => p.text.includes('{{'))).toEqual([]);
  });

  it('a listed key that a catalogue lacks, or that takes parameters, stops the build', () => {
    const zh = { idle: { stay: '继续办理', spoken: '{{seconds}} 秒后将自动退出' } };
    expect(fixedPrompts({ zh, en: { idle: { stay: 'Continue' } } }, ['idle.stay'])).toEqual([
      { key: 'idle.stay', lang: 'zh', text: '继续办理' },
      { key: 'idle.stay', lang: 'en', text: 'Continue' },
    ]);
    expect(() => fixedPrompts({ zh, en: {} }, ['idle.stay'])).toThrow(/idle.stay has no text in the en catalogue/);
    expect(() => fixedPrompts({ zh, en: zh }, ['idle.spoken'])).toThrow(/takes parameters/);
  });

  it('the page asks for the rate the clips are rendered at (another rate would never hit a clip)', () => {
    const speech = fs.readFileSync(path.join(rendererSrc, 'shell', 'speech.ts'), 'utf8');
    const rates = [...speech.matchAll(/rate:\s*([\d.]+)/g)].map((m) => Number(m[1]));
    expect(rates.length).toBeGreaterThan(0);
    expect(new Set(rates)).toEqual(new Set([PROMPT_RATE]));
  });
});
