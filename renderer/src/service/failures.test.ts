import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { serviceFailureCodes } from '../../../main/bridge/contract/service-failures';
import { zhCN } from '../i18n/zh-CN';
import { en } from '../i18n/en';
import { failureWords, type Translator } from './failures';

type Entry = { what: string; todo: string };
const tables = { 'zh-CN': zhCN.service.failure, en: en.service.failure } as Record<string, Record<string, Entry | undefined>>;

let zh: Translator;
let english: Translator;
beforeAll(async () => {
  const make = async (lng: string) => {
    const i = i18next.createInstance();
    await i.init({ lng, fallbackLng: 'zh-CN', resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } }, interpolation: { escapeValue: false } });
    return { t: (key: string, options?: Record<string, unknown>) => i.t(key, options), exists: (key: string) => i.exists(key) };
  };
  zh = await make('zh-CN');
  english = await make('en');
});

describe('the service failure table', () => {
  it.each(Object.keys(tables))('has what happened and what to do for every code main can report, in %s', (lng) => {
    const missing = serviceFailureCodes.filter((code) => !tables[lng]![code]?.what || !tables[lng]![code]?.todo);
    expect(missing).toEqual([]);
  });

  it('says it in Chinese on the Chinese screen: no English word in any sentence', () => {
    // Units such as mm and MB are short; anything of four or more letters would be English.
    const english = Object.entries(tables['zh-CN']!).filter(([, e]) => /[A-Za-z]{4,}/.test(`${e!.what}${e!.todo}`.replace(/\{\{\w+\}\}/g, '')));
    expect(english.map(([code]) => code)).toEqual([]);
  });

  it('has no entry for a code nobody reports, so the table stays the list main can produce', () => {
    const known = new Set<string>([...serviceFailureCodes, 'fallback']);
    for (const lng of Object.keys(tables)) expect(Object.keys(tables[lng]!).filter((k) => !known.has(k))).toEqual([]);
  });
});

describe('failureWords', () => {
  it('a printer out of paper: what happened and what to do, as one sentence', () => {
    expect(failureWords(zh, 'PRINTER_PAPER_OUT').sentence).toBe('打印机缺纸：请装入 80 mm 热敏纸后点“重试”');
    expect(failureWords(english, 'PRINTER_PAPER_OUT').sentence).toBe('The printer is out of paper: load 80 mm thermal paper, then press Retry');
  });

  it('names the device a generic device failure is about, and the count of queue items', () => {
    expect(failureWords(zh, 'DEVICE_ABSENT', { device: '身份证读卡器' }).what).toBe('身份证读卡器未连接');
    expect(failureWords(zh, 'DEVICE_ABSENT').what).toBe('设备未连接');
    expect(failureWords(zh, 'QUEUE_NEEDS_ATTENTION', { count: 2 }).what).toBe('有 2 笔交易需要人工处理');
  });

  it('a code nobody has written words for still gets a plain sentence, with the code in it', () => {
    const zhWords = failureWords(zh, 'PRINTER_HEAD_TOO_HOT');
    expect(zhWords.what).toBe('出现未列出的故障（代码 PRINTER_HEAD_TOO_HOT）');
    expect(zhWords.todo).toContain('联系维护厂商');
    expect(failureWords(english, 'PRINTER_HEAD_TOO_HOT').sentence).toContain('(code PRINTER_HEAD_TOO_HOT)');
  });

  it('never reads something that is not a code as a key of the table', () => {
    expect(failureWords(zh, 'fallback').what).toBe('出现未列出的故障（代码 fallback）');
    expect(failureWords(zh, 'PRINTER_PAPER_OUT.what').what).toBe('出现未列出的故障（代码 PRINTER_PAPER_OUT.what）');
  });
});
