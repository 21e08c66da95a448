/**
 * The technician's checks report codes, not English sentences: the 9001 round trip says which
 * failure it met, storage says what is wrong with it, and a readiness report the printer cannot
 * print says why (on the simulated devices: a roll run out, the cover open), instead of queuing a
 * receipt that comes out later or never.
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
