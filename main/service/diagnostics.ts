/**
 * The technician's view of the terminal: every device's self-test, the platform round trip
 * (9001), storage, the queue, the models, the configuration with secrets hidden, the log, and a
 * readiness report saved as HTML and PDF and printable as a short receipt.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../ground/clock';
import type { Db } from '../store/database';
import type { DeviceManager } from '../devices/manager';
import type { SelfTestResult } from '../devices/handles';
import type { PlatformClient } from '../platform/client';
import type { Outbox } from '../outbox/outbox';
import { checkModels, manifest } from '../../models/manifest';
import { ReceiptBuilder } from '../../drivers/printer/encoder';
import { canPrint, CONDITION_CODES } from '../../drivers/printer/status';
import type { platformCheckCodes, storageCheckCodes } from '../bridge/contract/service-failures';
import { appVersion } from '../ground/version';
import { textPdf } from './pdf';
import { infTime } from '../platform/envelope';
import type { Locale } from '../bridge/contract';
import { deviceName, INTEGRITY_NAMES, MODEL_STATUS_NAMES, QUEUE_STATE_NAMES, selfTestDetailText, wordFor } from '../bridge/contract/technician-text';

const zh = 'zh-CN' satisfies Locale;
const REPORT_TITLE: Record<Locale, string> = { 'zh-CN': '设备就绪报告', en: 'E-Station readiness report' };

export function hideSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hideSecrets);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, /secret|key|password|token|pin|apikey/i.test(k) ? '[hidden]' : hideSecrets(v)]));
  return value;
}

/** Below this, storage needs a technician: the queue and the logs must be able to grow. */
const minFreeBytes = 100 * 2 ** 20;
/** How long the readiness receipt may take to come out. */
const printWaitMs = 15_000;

type StorageProblem = (typeof storageCheckCodes)[number];

export interface PlatformCheck {
  ok: boolean;
  ms: number;
  code: (typeof platformCheckCodes)[number] | null;
  signedInAt: string | null;
  /** The platform's own words when it refused the sign-in. */
  platformMessage: string | null;
}

export interface DiagnosticsSettings {
  terminalId: string;
  institutionCode: string;
  /** The whole configuration, shown to the technician with secrets hidden. */
  config: unknown;
}

export class Diagnostics {
  constructor(
    private readonly settings: DiagnosticsSettings,
    private readonly dataDir: string,
    private readonly db: Db,
    private readonly devices: DeviceManager,
    private readonly client: PlatformClient,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  async selfTest(deviceId?: string): Promise<SelfTestResult[]> {
    const all = await this.devices.selfTestAll();
    return deviceId ? all.filter((r) => r.deviceId === deviceId) : all;
  }

  /** The 9001 round trip as codes the screen words: the platform's own words only when it refused. */
  async platformCheck(): Promise<PlatformCheck> {
    const t = performance.now();
    const r = await this.client.send('9001', { signIn: { opter_no: this.settings.terminalId, mac: '00-00-00-00-00-00', ip: '127.0.0.1' } }, { signNo: '' });
    const ms = Math.round(performance.now() - t);
    if (r.kind === 'ok') return { ok: true, ms, code: null, signedInAt: r.output.signinoutb.sign_time, platformMessage: null };
    return { ok: false, ms, code: r.code, signedInAt: null, platformMessage: r.kind === 'business-error' ? r.message : null };
  }

  storage(): { ok: boolean; integrity: string; dbBytes: number; freeBytes: number | null; tamperedRows: number; problems: StorageProblem[] } {
    const integrity = String(this.db.pragma('integrity_check', { simple: true }));
    const file = path.join(this.dataDir, 'estation.sqlite');
    const dbBytes = fs.existsSync(file) ? fs.statSync(file).size : 0;
    let freeBytes: number | null = null;
    try {
      const s = fs.statfsSync(this.dataDir);
      freeBytes = s.bavail * s.bsize;
    } catch {
      freeBytes = null;
    }
    const tamperedRows = this.outbox.verifyAll().length;
    const problems: StorageProblem[] = [];
    if (integrity !== 'ok') problems.push('STORAGE_INTEGRITY_FAILED');
    if (tamperedRows > 0) problems.push('STORAGE_TAMPERED_ROWS');
    if (freeBytes !== null && freeBytes <= minFreeBytes) problems.push('STORAGE_LOW_SPACE');
    return { ok: problems.length === 0, integrity, dbBytes, freeBytes, tamperedRows, problems };
  }

  queue() {
    return this.outbox.counts();
  }

  models() {
    return { version: manifest.version, files: checkModels().map((m) => ({ name: m.name, file: m.file, status: m.status, sha256: m.sha256 })) };
  }

  configView(): string {
    return JSON.stringify(hideSecrets(this.settings.config), null, 2);
  }

  logs(filter: { level?: string; text?: string; limit: number }): { lines: { t: string; level: string; msg: string; raw: string }[] } {
    const file = path.join(this.dataDir, 'logs', 'estation.log');
    if (!fs.existsSync(file)) return { lines: [] };
    const text = fs.readFileSync(file, 'utf8');
    const lines = text
      .split('\n')
      .filter(Boolean)
      .slice(-5000)
      .map((raw) => {
        try {
          const j = JSON.parse(raw) as { t: string; level: string; msg: string };
          return { t: j.t, level: j.level, msg: j.msg, raw };
        } catch {
          return { t: '', level: 'info', msg: raw, raw };
        }
      })
      .filter((l) => (!filter.level || l.level === filter.level) && (!filter.text || l.raw.includes(filter.text)));
    return { lines: lines.slice(-filter.limit) };
  }

  /**
   * Runs every check and writes the readiness report into the data directory: its page (HTML) in
   * the technician's language, every self-test's finding included; its PDF in English.
   */
  async readiness(print: boolean, locale: Locale = zh) {
    const at = new Date(this.clock.now()).toISOString();
    const tests = await this.selfTest();
    const platform = await this.platformCheck();
    const storage = this.storage();
    const queue = this.queue();
    const models = this.models();
    const ok = tests.every((t) => t.ok) && platform.ok && storage.ok && models.files.every((m) => m.status === 'verified');
    const lines = [
      `E-Station ${appVersion}  terminal ${this.settings.terminalId}  institution ${this.settings.institutionCode}`,
      `generated ${at}  node ${process.version}  overall ${ok ? 'READY' : 'NOT READY'}`,
      '',
      'Devices:',
      ...tests.map((t) => `  ${t.ok ? 'PASS' : 'FAIL'} ${t.deviceId} (${t.kind}) ${t.code ?? ''} ${t.message} [${t.durationMs} ms]`),
      '',
      `Platform: ${platform.ok ? 'PASS' : 'FAIL'} 9001 round trip ${platform.ms} ms - ${platform.ok ? `sign-in at ${platform.signedInAt}` : platform.code}`,
      `Storage: ${storage.ok ? 'PASS' : 'FAIL'} integrity ${storage.integrity}, database ${storage.dbBytes} bytes, free ${storage.freeBytes ?? '?'} bytes, tampered rows ${storage.tamperedRows}`,
      `Queue: ${Object.entries(queue)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      `Models ${models.version}:`,
      ...models.files.map((m) => `  ${m.status} ${m.file} sha256 ${m.sha256.slice(0, 16)}...`),
    ];
    // The page in the technician's language: Chinese in Beijing time, every finding in words from
    // technician-text.ts (or the English lines above on an English screen); the paper in Chinese.
    // The PDF keeps the English lines: its Helvetica cannot draw Chinese (main/service/pdf.ts).
    const when = infTime(Date.parse(at));
    const mark = (good: boolean) => (good ? '通过' : '未通过');
    const chinese = [
      `E-Station ${appVersion}  终端 ${this.settings.terminalId}  机构 ${this.settings.institutionCode}`,
      `生成时间 ${when}（北京时间）  Node ${process.version}  结论：${ok ? '就绪' : '未就绪'}`,
      '',
      '设备：',
      ...tests.map(
        (t) =>
          `  ${mark(t.ok)}  ${deviceName(t.kind, zh)}（${t.deviceId}）${t.code ? ` ${t.code}` : ''}  ${selfTestDetailText(t.detail, zh)}  [${t.durationMs} ms]`,
      ),
      '',
      `医保平台：${mark(platform.ok)}  9001 签到往返 ${platform.ms} ms  ${platform.ok ? `签到于 ${platform.signedInAt}` : platform.code}`,
      `存储：${mark(storage.ok)}  完整性 ${INTEGRITY_NAMES[storage.integrity === 'ok' ? 'ok' : 'failed'][zh]}，数据库 ${storage.dbBytes} 字节，剩余空间 ${storage.freeBytes ?? '?'} 字节，被改动的行 ${storage.tamperedRows}`,
      `待上传队列：${Object.entries(queue)
        .map(([k, v]) => `${wordFor(QUEUE_STATE_NAMES, k, zh)} ${v}`)
        .join('，')}`,
      `人脸模型 ${models.version}：`,
      ...models.files.map((m) => `  ${wordFor(MODEL_STATUS_NAMES, m.status, zh)} ${m.file} sha256 ${m.sha256.slice(0, 16)}…`),
    ];
    const page = { 'zh-CN': chinese, en: lines }[locale];
    const dir = path.join(this.dataDir, 'reports');
    fs.mkdirSync(dir, { recursive: true });
    const stamp = at.replace(/[:.]/g, '-');
    const htmlPath = path.join(dir, `readiness-${stamp}.html`);
    const pdfPath = path.join(dir, `readiness-${stamp}.pdf`);
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    fs.writeFileSync(
      htmlPath,
      `<!doctype html><html lang="${locale}"><meta charset="utf-8"><title>${REPORT_TITLE[locale]}</title><h1>${REPORT_TITLE[locale]}</h1><pre>${page.map(esc).join('\n')}</pre></html>\n`,
    );
    fs.writeFileSync(pdfPath, textPdf(REPORT_TITLE.en, lines));
    let receiptJobId: string | null = null;
    let printCode: string | null = null;
    if (print) {
      const r = new ReceiptBuilder()
        .init()
        .chinese()
        .align('center')
        .size(2, 1)
        .line('设备就绪报告')
        .size(1, 1)
        .align('left')
        .rule()
        .pair('终端', this.settings.terminalId)
        .pair('时间', when)
        .pair('结论', ok ? '就绪' : '未就绪');
      for (const t of tests) r.pair(deviceName(t.kind, zh), t.ok ? '通过' : `未通过 ${t.code ?? ''}`);
      r.pair('医保平台', platform.ok ? `通过 ${platform.ms}ms` : `未通过 ${platform.code ?? ''}`)
        .pair('存储', mark(storage.ok))
        .cut();
      printCode = await this.printReceipt(`readiness-${stamp}`, r.bytes());
      if (printCode === null) receiptJobId = `readiness-${stamp}`;
    }
    return { ok, at, htmlPath, pdfPath, receiptJobId, printCode, tests, platform, storage };
  }

  /**
   * Prints a receipt only from a printer that can print now, and waits for it: null once it is
   * printed, else the printer's code. A job that does not finish in time is cancelled where it can
   * still be, so the report does not come out later by surprise.
   */
  private async printReceipt(jobId: string, bytes: Buffer): Promise<string | null> {
    const handle = this.devices.printer;
    const printer = handle?.printer;
    if (!handle || !printer) return 'PRINTER_ABSENT';
    try {
      const { condition } = await printer.status();
      if (!canPrint(condition)) return CONDITION_CODES[condition] ?? 'PRINTER_ERROR';
      handle.print(jobId, bytes);
      const job = await printer.waitFor(jobId, printWaitMs);
      return job.state === 'done' ? null : (job.reason?.split(':')[0] ?? 'PRINTER_JOB_FAILED');
    } catch (err) {
      printer.cancel(jobId);
      return (err as { code?: string }).code ?? 'PRINTER_JOB_FAILED';
    }
  }
}
