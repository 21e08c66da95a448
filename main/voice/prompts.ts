/**
 * The fixed prompts: message-catalogue keys the kiosk speaks as they are, without parameters.
 * The build renders each of them, in every language, to a clip (scripts/voice-clips.ts), so the
 * commonest prompts play at once and the same on every terminal; anything else goes to the live
 * engine. prompts.test.ts fails when the screen speaks a parameterless key missing from here.
 */

/** The rate the kiosk asks for (renderer/src/shell/speech.ts) and the clips are rendered at. */
export const PROMPT_RATE = 0.85;

export const FIXED_PROMPT_KEYS = [
  'attract.prompt',
  'agent.prompt',
  'auth.printed',
  'certificate.done',
  'family.presentMember',
  'family.bound',
  'family.unbound',
  'family.notDone',
  'filing.applied',
  'filing.cancelled',
  'premium.paid',
  'premium.scan',
  // Spoken through `errors.${code}` when a device reports a problem on its own: a card or QR
  // that will not read, a wrong or blocked PIN, a printer that needs a person.
  'errors.ID_CARD_READ_FAILED',
  'errors.SS_CARD_MUTE',
  'errors.SS_CARD_PIN_WRONG',
  'errors.SS_CARD_PIN_BLOCKED',
  'errors.EC_REFUSED',
  'errors.DEVICE_ABSENT',
  'errors.PRINTER_PAPER_OUT',
  'errors.PRINTER_COVER_OPEN',
  'errors.PRINTER_NOT_RESPONDING',
  'errors.PRINTER_ABSENT',
] as const;

export type PromptLang = 'zh' | 'en';

export interface FixedPrompt {
  key: string;
  lang: PromptLang;
  text: string;
}

/**
 * The current text of every fixed prompt in each catalogue. Throws on a key a catalogue lacks or
 * whose text takes parameters: such a key is not a fixed prompt.
 */
export function fixedPrompts(catalogs: Record<PromptLang, unknown>, keys: readonly string[] = FIXED_PROMPT_KEYS): FixedPrompt[] {
  const out: FixedPrompt[] = [];
  for (const lang of Object.keys(catalogs) as PromptLang[]) {
    for (const key of keys) {
      const text = key
        .split('.')
        .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), catalogs[lang]);
      if (typeof text !== 'string' || !text.trim()) throw new Error(`fixed prompt ${key} has no text in the ${lang} catalogue`);
      if (text.includes('{{')) throw new Error(`fixed prompt ${key} (${lang}) takes parameters: "${text}" is not a fixed text`);
      out.push({ key, lang, text });
    }
  }
  return out;
}
