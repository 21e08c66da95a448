/**
 * The technician's checks report codes, not English sentences: the 9001 round trip says which
 * failure it met, storage says what is wrong with it, and a readiness report the printer cannot
 * print says why (on the simulated devices: a roll run out, the cover open), instead of queuing a
 * receipt that comes out later or never. What each self-test found is a detail code the report
 * words in the technician's language: no English finding on a Chinese page.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import { openDatabase, type Db } from '../store/database';
import { devicesConfigSchema } from '../devices/config';
import { DeviceManager } from '../devices/manager';
import { DeviceSupervisor } from '../devices/supervisor';
import { applySimAction } from '../devices/simulation';
import type { Outcome, PlatformClient } from '../platform/client';
import type { Outbox } from '../outbox/outbox';
import { Diagnostics } from './diagnostics';
import { SELF_TEST_DETAILS, selfTestDetailText, type SelfTestDetail, type SelfTestDetailCode } from '../bridge/contract/technician-text';

let dir: string;
let db: Db;
let devices: DeviceManager;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-diagnostics-'));
  db = openDatabase(path.join(dir, 'estation.sqlite'));
  devices = new DeviceManager(devicesConfigSchema.parse({ simulate: true, pollMs: 60 }), new DeviceSupervisor(systemClock), systemClock, silentLogger, dir);
  await devices.start();
  await devices.settled();
});
afterAll(async () => {
  await devices?.stop();
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The platform answers 9001 with `outcome`; the queue holds `tampered` altered rows. */
function diagnosticsWith(outcome: Outcome<unknown>, tampered = 0) {
  const client = { send: async () => outcome } as unknown as PlatformClient;
  const outbox = {
    verifyAll: () => Array.from({ length: tampered }, (_, i) => `item-${i}`),
    counts: () => ({ pending: 0, sending: 0, done: 0, 'failed-business': 0, unknown: 0, reversed: 0, 'needs-attention': 0 }),
  } as unknown as Outbox;
  return new Diagnostics({ terminalId: 'ZZJ001', institutionCode: 'P44030300001', config: {} }, dir, db, devices, client, outbox, systemClock);
}

const signedIn: Outcome<unknown> = { kind: 'ok', output: { signinoutb: { sign_time: '2025-03-01 08:00:00', sign_no: 'S1' } }, msgid: 'm1', refmsgid: null };

describe('the platform round trip', () => {
  it('on success: when the platform signed in, and no code', async () => {
    expect(await diagnosticsWith(signedIn).platformCheck()).toMatchObject({ ok: true, code: null, signedInAt: '2025-03-01 08:00:00', platformMessage: null });
  });

  it('a platform that cannot be reached: its code, not the client message', async () => {
    const r = await diagnosticsWith({
      kind: 'unreachable',
      code: 'PLATFORM_UNREACHABLE',
      message: 'connect ECONNREFUSED 127.0.0.1:9',
      msgid: 'm2',
    }).platformCheck();
    expect(r).toEqual({ ok: false, ms: expect.any(Number), code: 'PLATFORM_UNREACHABLE', signedInAt: null, platformMessage: null });
  });

  it('a platform that refuses the sign-in: its code and its own words', async () => {
    const r = await diagnosticsWith({ kind: 'business-error', code: 'PLATFORM_BUSINESS_ERROR', message: '操作员不存在', msgid: 'm3' }).platformCheck();
    expect(r).toMatchObject({ ok: false, code: 'PLATFORM_BUSINESS_ERROR', platformMessage: '操作员不存在' });
  });
});

it('storage with altered queue rows says so by code', () => {
  expect(diagnosticsWith(signedIn).storage()).toMatchObject({ ok: true, problems: [] });
  expect(diagnosticsWith(signedIn, 2).storage()).toMatchObject({ ok: false, tamperedRows: 2, problems: ['STORAGE_TAMPERED_ROWS'] });
});

describe('printing the readiness report', () => {
  const printed = () => devices.sim!.printer.sim.receipts().filter((r) => r.lines.some((l) => l.includes('设备就绪报告'))).length;

  it('prints it on a ready printer and says so', async () => {
    const before = printed();
    const r = await diagnosticsWith(signedIn).readiness(true);
    expect(r.printCode).toBeNull();
    expect(r.receiptJobId).toMatch(/^readiness-/);
    expect(printed()).toBe(before + 1);
  });

  it('says it in Chinese on paper and on the page, in Beijing time; only the PDF keeps English for its font', async () => {
    const r = await diagnosticsWith(signedIn).readiness(true);
    const receipt = devices.sim!.printer.sim.receipts().at(-1)!.lines.join('\n');
    const beijing = new Date(Date.parse(r.at) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(receipt).toContain(beijing);
    expect(receipt).toMatch(/打印机\s+通过/);
    expect(receipt).toContain('医保平台');
    expect(receipt).not.toMatch(/PASS|FAIL|READY/);
    const html = fs.readFileSync(r.htmlPath, 'utf8');
    expect(html).toContain('<h1>设备就绪报告</h1>');
    expect(html).toContain(`生成时间 ${beijing}`);
    expect(html).toMatch(/通过 {2}打印机（printer）/);
    expect(html).not.toMatch(/PASS|FAIL/);
    expect(fs.readFileSync(r.pdfPath, 'latin1')).toContain('PASS printer');
  });

  it('a printer out of paper: PRINTER_PAPER_OUT, and nothing comes out once paper is loaded', async () => {
    const before = printed();
    await applySimAction(devices, { action: 'printer', condition: 'paper-out' });
    const r = await diagnosticsWith(signedIn).readiness(true);
    expect(r).toMatchObject({ printCode: 'PRINTER_PAPER_OUT', receiptJobId: null });
    await applySimAction(devices, { action: 'printer', condition: 'paper-loaded' });
    await expect.poll(() => devices.supervisor.get('printer').state).toBe('ready');
    expect(printed()).toBe(before);
  });

  it('a printer with its cover open: PRINTER_COVER_OPEN', async () => {
    await applySimAction(devices, { action: 'printer', condition: 'cover-open' });
    expect((await diagnosticsWith(signedIn).readiness(true)).printCode).toBe('PRINTER_COVER_OPEN');
    await applySimAction(devices, { action: 'printer', condition: 'cover-closed' });
  });

  it('an unplugged printer: PRINTER_ABSENT or no answer, never a silent success', async () => {
    await applySimAction(devices, { action: 'unplug', deviceId: 'printer' });
    await expect.poll(() => devices.supervisor.get('printer').state).toBe('absent');
    expect(['PRINTER_ABSENT', 'PRINTER_NOT_RESPONDING']).toContain((await diagnosticsWith(signedIn).readiness(true)).printCode);
    await applySimAction(devices, { action: 'replug', deviceId: 'printer' });
  });

  it('asked not to print, it prints nothing and reports no print failure', async () => {
    const before = printed();
    expect(await diagnosticsWith(signedIn).readiness(false)).toMatchObject({ printCode: null, receiptJobId: null });
    expect(printed()).toBe(before);
  });
});

/**
 * Runs of four or more Latin letters in a Chinese report: English words. What may stand there is
 * named: the product and runtime names, device ids, failure codes, the models' version, file
 * names and checksums, and the values a detail reports as they are (a symbology's name).
 */
function englishIn(text: string, allowed: string[]): string[] {
  let rest = text;
  for (const a of ['E-Station', 'Node', ...allowed]) rest = rest.split(a).join(' ');
  rest = rest
    .replace(/\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b/g, ' ')
    .replace(/[\w.-]+\.onnx\b/g, ' ')
    .replace(/sha256 [0-9a-f]+/g, ' ')
    .replace(/\S*\d+\.\d+\.\d+\S*/g, ' ');
  return rest.match(/[A-Za-z]{4,}/g) ?? [];
}
/** The report's lines: the page's <pre>. */
const reportText = (html: string) => /<pre>([\s\S]*)<\/pre>/.exec(html)![1]!;

describe("what a self-test found, in the technician's language", () => {
  // A value for every parameter a detail has, English where a device reports English.
  const sample: Record<string, string | number> = {
    kind: 'foreign-permanent-2023',
    region: '320100',
    symbology: 'QR',
    length: 18,
    condition: 'cover-open',
    state: 'cancelled',
    message: 'connect ENOENT /dev/ttyUSB0',
  };
  it.each(Object.keys(SELF_TEST_DETAILS) as SelfTestDetailCode[])('%s: Chinese words in Chinese, English in English, every value filled in', (code) => {
    const detail: SelfTestDetail = { code, params: sample };
    const zh = selfTestDetailText(detail, 'zh-CN');
    const en = selfTestDetailText(detail, 'en');
    expect(zh).not.toMatch(/[{}]/);
    expect(en).not.toMatch(/[{}]/);
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
    expect(englishIn(zh, ['QR'])).toEqual([]);
    expect(en).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('the English is what the log and the PDF said before the details had codes', () => {
    const en = (code: SelfTestDetailCode, params: SelfTestDetail['params'] = {}) => selfTestDetailText({ code, params }, 'en');
    expect(en('id-card-read', { kind: 'resident' })).toBe('SAM module answers; read a resident card');
    expect(en('ss-card-read', { region: '320100' })).toBe('reader answers; read card of region 320100');
    expect(en('scanner-scanned', { symbology: 'QR', length: 18 })).toBe('scanned QR of 18 characters');
    expect(en('printer-not-ready', { condition: 'paper-out' })).toBe('printer is paper-out');
    expect(en('printer-test-page')).toBe('status ready; test page printed');
    expect(en('device-fault', { message: 'connect ENOENT /dev/ttyUSB0' })).toBe('connect ENOENT /dev/ttyUSB0');
  });

  /** The device lines of a report page. */
  const deviceLines = (html: string) => html.split('\n').filter((l) => /^ {2}(通过|未通过|PASS|FAIL) /.test(l));

  const settledIn = { timeout: 15_000 };
  it('a Chinese report page says every finding in Chinese, passing or failing; an English one says it in English', async () => {
    // The tests above leave the printer replugged: every device ready first, then a roll out and a reader unplugged.
    for (const id of ['id-card', 'ss-card', 'scanner', 'printer']) await expect.poll(() => devices.supervisor.get(id).state, settledIn).toBe('ready');
    await applySimAction(devices, { action: 'printer', condition: 'paper-out' });
    await applySimAction(devices, { action: 'unplug', deviceId: 'id-card' });
    await expect.poll(() => devices.supervisor.get('id-card').state, settledIn).toBe('absent');
    await expect.poll(() => devices.supervisor.get('printer').state, settledIn).toBe('fault');
    try {
      const r = await diagnosticsWith(signedIn).readiness(false, 'zh-CN');
      const byId = Object.fromEntries(r.tests.map((t) => [t.deviceId, t]));
      expect(byId['printer']).toMatchObject({
        ok: false,
        code: 'PRINTER_PAPER_OUT',
        detail: { code: 'printer-not-ready', params: { condition: 'paper-out' } },
      });
      expect(byId['id-card']).toMatchObject({ ok: false });
      expect(['DEVICE_ABSENT', 'DEVICE_NOT_RESPONDING']).toContain(byId['id-card']!.code);
      expect(byId['ss-card']).toMatchObject({ ok: true, detail: { code: 'ss-card-read' } });
      expect(byId['scanner']).toMatchObject({ ok: true });

      const html = fs.readFileSync(r.htmlPath, 'utf8');
      expect(html).toContain('<html lang="zh-CN">');
      const lines = deviceLines(html);
      expect(lines).toHaveLength(r.tests.length);
      expect(lines.find((l) => l.includes('（printer）'))).toContain('打印机缺纸，未打印测试页');
      expect(lines.find((l) => l.includes('（id-card）'))).toMatch(/设备未连接/);
      expect(lines.find((l) => l.includes('（ss-card）'))).toMatch(/读卡器应答正常，读出一张参保地 \d+ 的社保卡/);
      for (const t of r.tests) expect(html).not.toContain(t.message);
      const symbologies = r.tests.map((t) => t.detail.params['symbology']).filter((v): v is string => typeof v === 'string');
      expect(englishIn(reportText(html), [...r.tests.map((t) => t.deviceId), ...symbologies])).toEqual([]);

      const english = await diagnosticsWith(signedIn).readiness(false, 'en');
      const page = fs.readFileSync(english.htmlPath, 'utf8');
      expect(page).toContain('<html lang="en">');
      expect(page).toContain('FAIL printer (printer) PRINTER_PAPER_OUT printer is paper-out');
      expect(deviceLines(page).join('\n')).not.toMatch(/[\u4e00-\u9fff]/);
    } finally {
      await applySimAction(devices, { action: 'replug', deviceId: 'id-card' });
      await applySimAction(devices, { action: 'printer', condition: 'paper-loaded' });
      await expect.poll(() => devices.supervisor.get('id-card').state, settledIn).toBe('ready');
      await expect.poll(() => devices.supervisor.get('printer').state, settledIn).toBe('ready');
    }
  });
});
