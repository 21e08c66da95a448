/**
 * The technician's words, in both of the terminal's languages, for what main reports by code:
 * device names, what a device self-test found, the upload queue's states and the face models'
 * checks. Main writes the readiness report from these tables in the language of the screen that
 * asked for it (the PDF keeps English: its Helvetica has no Chinese), and the renderer's message
 * catalogues take the same names from here, so a device or a state is named one way everywhere.
 *
 * A self-test result carries what it found as a detail code and its values (SELF_TEST_DETAILS);
 * its English `message` is the same detail in English, for the log, the command line and the PDF.
 */
import { z } from 'zod';
import type { Locale } from './contract';

type Words = Record<Locale, string>;

/** The words for `key` in `table`, or the key itself when the table has none (a state from a newer version). */
export function wordFor(table: Record<string, Words>, key: string, locale: Locale): string {
  return table[key]?.[locale] ?? key;
}

/** Each key's words in one language: the shape a message catalogue wants. */
export function wordsIn<K extends string>(table: Record<K, Words>, locale: Locale): Record<K, string> {
  return Object.fromEntries(Object.entries<Words>(table).map(([k, w]) => [k, w[locale]])) as Record<K, string>;
}

export const DEVICE_NAMES = {
  idCardReader: { 'zh-CN': '身份证读卡器', en: 'ID card reader' },
  ssCardReader: { 'zh-CN': '社保卡读卡器', en: 'Social-security card reader' },
  scanner: { 'zh-CN': '扫码器', en: 'Scanner' },
  printer: { 'zh-CN': '打印机', en: 'Printer' },
  camera: { 'zh-CN': '摄像头', en: 'Camera' },
} satisfies Record<string, Words>;

/** A device kind's name; an unknown kind (a configuration from a newer version) as it is. */
export const deviceName = (kind: string, locale: Locale): string => wordFor(DEVICE_NAMES, kind, locale);

/** The upload queue's states (Outbox.counts()). */
export const QUEUE_STATE_NAMES = {
  pending: { 'zh-CN': '待上传', en: 'to upload' },
  sending: { 'zh-CN': '上传中', en: 'uploading' },
  done: { 'zh-CN': '已完成', en: 'done' },
  'failed-business': { 'zh-CN': '平台拒绝', en: 'refused by the platform' },
  unknown: { 'zh-CN': '结果未明', en: 'outcome unknown' },
  reversed: { 'zh-CN': '已冲正待重发', en: 'reversed, to resend' },
  'needs-attention': { 'zh-CN': '需处理', en: 'needs attention' },
} satisfies Record<string, Words>;

/** The face models' file checks (checkModels()). */
export const MODEL_STATUS_NAMES = {
  verified: { 'zh-CN': '已校验', en: 'verified' },
  missing: { 'zh-CN': '缺失', en: 'missing' },
  'hash-mismatch': { 'zh-CN': '校验值不符', en: 'checksum differs' },
} satisfies Record<string, Words>;

/** SQLite's integrity check: `ok`, or anything else. */
export const INTEGRITY_NAMES = {
  ok: { 'zh-CN': '完好', en: 'intact' },
  failed: { 'zh-CN': '校验未通过', en: 'failed its check' },
} satisfies Record<string, Words>;

const CARD_KINDS: Record<string, Words> = {
  resident: { 'zh-CN': '居民身份证', en: 'resident' },
  'hmt-residence': { 'zh-CN': '港澳台居民居住证', en: 'hmt-residence' },
  'foreign-permanent-2017': { 'zh-CN': '外国人永久居留身份证（2017 版）', en: 'foreign-permanent-2017' },
  'foreign-permanent-2023': { 'zh-CN': '外国人永久居留身份证（2023 版）', en: 'foreign-permanent-2023' },
};

const PRINTER_CONDITIONS: Record<string, Words> = {
  ready: { 'zh-CN': '就绪', en: 'ready' },
  'paper-near-end': { 'zh-CN': '纸将用完', en: 'paper-near-end' },
  'paper-out': { 'zh-CN': '缺纸', en: 'paper-out' },
  'cover-open': { 'zh-CN': '上盖未合上', en: 'cover-open' },
  offline: { 'zh-CN': '脱机', en: 'offline' },
  'cutter-error': { 'zh-CN': '切刀故障', en: 'cutter-error' },
  'unrecoverable-error': { 'zh-CN': '出现不可恢复的故障', en: 'unrecoverable-error' },
};

const JOB_STATES: Record<string, Words> = {
  queued: { 'zh-CN': '仍在排队', en: 'queued' },
  waiting: { 'zh-CN': '在等打印机', en: 'waiting' },
  sending: { 'zh-CN': '仍在发送', en: 'sending' },
  sent: { 'zh-CN': '已发送但打印机未确认', en: 'sent' },
  unknown: { 'zh-CN': '结果不明', en: 'unknown' },
  cancelled: { 'zh-CN': '已取消', en: 'cancelled' },
};

interface DetailWords extends Words {
  /** Values of a parameter that are themselves words (a card kind, a printer condition): their tables. */
  values?: Record<string, Record<string, Words>>;
}

/**
 * What a self-test found, by code: `{name}` stands for the detail's value of that name. The
 * English is what the log and the PDF have always said.
 */
export const SELF_TEST_DETAILS = {
  'id-card-read': { 'zh-CN': '安全模块应答正常，读出一张{kind}', en: 'SAM module answers; read a {kind} card', values: { kind: CARD_KINDS } },
  'id-card-no-card': { 'zh-CN': '安全模块应答正常，读卡区没有证件可读', en: 'SAM module answers; no card on the reader to read' },
  'ss-card-read': { 'zh-CN': '读卡器应答正常，读出一张参保地 {region} 的社保卡', en: 'reader answers; read card of region {region}' },
  'ss-card-no-card': { 'zh-CN': '读卡器应答正常，卡槽中没有社保卡', en: 'reader answers; no card in the slot' },
  'scanner-scanned': { 'zh-CN': '自检时扫到一个 {symbology} 码，共 {length} 个字符', en: 'scanned {symbology} of {length} characters' },
  'scanner-scanned-unnamed': { 'zh-CN': '自检时扫到一个码，共 {length} 个字符', en: 'scanned a code of {length} characters' },
  'scanner-no-scan': { 'zh-CN': '扫码器已连接，自检时没有扫到码', en: 'scanner connected; no code was scanned during the test' },
  'printer-test-page': { 'zh-CN': '状态正常，测试页已打印', en: 'status ready; test page printed' },
  'printer-not-ready': { 'zh-CN': '打印机{condition}，未打印测试页', en: 'printer is {condition}', values: { condition: PRINTER_CONDITIONS } },
  'printer-test-page-failed': { 'zh-CN': '测试页没有打印出来（{state}）', en: 'test page {state}', values: { state: JOB_STATES } },
  'device-not-open': { 'zh-CN': '设备未打开', en: 'not open' },
  'device-not-connected': { 'zh-CN': '设备未连接', en: 'device not connected' },
  /** Not connected, with the port's or the system's own words (English) on why: kept for the PDF. */
  'device-lost': { 'zh-CN': '设备未连接（原因原文见 PDF 报告）', en: '{message}' },
  /** A driver's or the system's own words (English, from the port or the library): kept for the PDF. */
  'device-fault': { 'zh-CN': '设备报告故障（原文见 PDF 报告）', en: '{message}' },
} satisfies Record<string, DetailWords>;

export type SelfTestDetailCode = keyof typeof SELF_TEST_DETAILS;
export const selfTestDetailCodes = Object.keys(SELF_TEST_DETAILS) as [SelfTestDetailCode, ...SelfTestDetailCode[]];

export const selfTestDetailSchema = z.object({
  code: z.enum(selfTestDetailCodes),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type SelfTestDetail = z.infer<typeof selfTestDetailSchema>;

/** A self-test detail in words. */
export function selfTestDetailText(detail: SelfTestDetail, locale: Locale): string {
  const words: DetailWords = SELF_TEST_DETAILS[detail.code];
  return words[locale].replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = String(detail.params[name] ?? '');
    const table = words.values?.[name];
    return table ? wordFor(table, value, locale) : value;
  });
}
