/**
 * A failure code in plain words for the technician: what happened and what to do, from the
 * `service.failure` table of the current language. A code the table does not know still gets a
 * sentence, with the code in it, so nothing reaches the screen as a bare code.
 */
export interface FailureWords {
  what: string;
  todo: string;
  /** What happened and what to do as one sentence, e.g. 打印机缺纸：请装入 80 mm 热敏纸后点“重试”. */
  sentence: string;
}

export interface Translator {
  t(key: string, options?: Record<string, unknown>): string;
  exists(key: string): boolean;
}

export function failureWords(i18n: Translator, code: string, params: Record<string, string | number> = {}): FailureWords {
  // A code is SHOUTING_SNAKE; anything else (a key path, a sentence) must not be read as a key.
  const known = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(code) && i18n.exists(`service.failure.${code}.what`);
  const entry = known ? `service.failure.${code}` : 'service.failure.fallback';
  const values = { device: i18n.t('service.thisDevice'), ...params, code };
  const what = i18n.t(`${entry}.what`, values);
  const todo = i18n.t(`${entry}.todo`, values);
  return { what, todo, sentence: i18n.t('service.failureSentence', { what, todo }) };
}
