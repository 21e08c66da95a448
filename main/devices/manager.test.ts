/**
 * The device supervisor on the embedded default: simulated devices on real PTY pairs, the real
 * serialport binding on the host side, and the HID scanner through its injected transport.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import { devicesConfigSchema } from './config';
import { DeviceManager } from './manager';
import { DeviceSupervisor } from './supervisor';
import { applySimAction } from './simulation';
import type { Identity } from './identity';
import type { ScanResult } from '../../drivers/scanner/symbology';
import { wangJianguo } from '../../fixtures/people/id-cards';
import { wangJianguoSsCard } from '../../fixtures/people/ss-cards';
import { socatAvailable } from '../../drivers/transport/pty';

let devices: DeviceManager;
const identities: Identity[] = [];
const scans: ScanResult[] = [];
const errors: string[] = [];
const removed: string[] = [];
const state = (id: string) => devices.supervisor.get(id).state;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-devices-'));
  devices = new DeviceManager(devicesConfigSchema.parse({ simulate: true, pollMs: 60 }), new DeviceSupervisor(systemClock), systemClock, silentLogger, dataDir);
  devices.on('identity', (i) => identities.push(i));
  devices.on('scan', (s) => scans.push(s));
  devices.on('card-error', (e) => errors.push(e.code));
  devices.on('card-removed', (e) => removed.push(e.deviceId));
  await devices.start();
  await devices.settled();
});
afterAll(async () => {
  await devices?.stop();
});

describe(`the device supervisor with simulated devices (${socatAvailable() ? 'PTY pairs via socat' : 'in-memory pairs: socat not installed'})`, () => {
  it('brings every device to ready', () => {
    expect(devices.supervisor.list().map((d) => [d.id, d.state])).toEqual([
      ['id-card', 'ready'],
      ['ss-card', 'ready'],
      ['scanner', 'ready'],
      ['printer', 'ready'],
    ]);
  });

  it('turns an inserted ID card into one identity of certificate type 02', async () => {
    identities.length = 0;
    await applySimAction(devices, {
      action: 'insert-id-card',
      card: { ...wangJianguo, address: wangJianguo.address!, issuer: wangJianguo.issuer!, nation: '01', gender: '1' },
      pullMidRead: false,
    });
    await expect.poll(() => identities.length).toBe(1);
    expect(identities[0]).toMatchObject({ certType: '02', certNo: wangJianguo.idNumber, name: '王建国', provenBy: 'id-card', cardKind: 'resident' });
    // Three more polls find the card still there: still one identity.
    const finds = () => devices.sim!.idCard.sim.received.filter((c) => c.cmd === 0x20 && c.para === 0x01).length;
    const seen = finds();
    await expect.poll(finds, { timeout: 5_000 }).toBeGreaterThanOrEqual(seen + 3);
    expect(identities).toHaveLength(1);
    await applySimAction(devices, { action: 'remove-id-card' });
    await expect.poll(() => removed).toContain('id-card');
  });

  it('a card pulled mid-read gives ID_CARD_READ_FAILED and no identity', async () => {
    identities.length = 0;
    errors.length = 0;
    await applySimAction(devices, {
      action: 'insert-id-card',
      card: { ...wangJianguo, address: '', issuer: '', nation: '01', gender: '1' },
      pullMidRead: true,
    });
    await expect.poll(() => errors, { timeout: 5000 }).toContain('ID_CARD_READ_FAILED');
    expect(identities).toEqual([]);
  });

  it('turns a social-security card into an identity of certificate type 03 with its card_sn', async () => {
    identities.length = 0;
    await applySimAction(devices, {
      action: 'insert-ss-card',
      card: {
        cardSn: wangJianguoSsCard.cardSn,
        cardNumber: wangJianguoSsCard.cardNumber,
        idNumber: wangJianguoSsCard.idNumber,
        name: '王建国',
        gender: '1',
        pin: '123456',
      },
    });
    await expect.poll(() => identities.length).toBe(1);
    expect(identities[0]).toMatchObject({ certType: '03', certNo: 'A00000019', cardSn: wangJianguoSsCard.cardSn, provenBy: 'ss-card' });
    await applySimAction(devices, { action: 'remove-ss-card' });
  });

  it('a card swapped for another at once is read as the new card: the simulated removal answers only once the reader saw it', async () => {
    identities.length = 0;
    const card = (cardSn: string, name: string) => ({
      cardSn,
      cardNumber: 'A00000019',
      idNumber: wangJianguoSsCard.idNumber,
      name,
      gender: '1' as const,
      pin: '123456',
    });
    await applySimAction(devices, { action: 'insert-ss-card', card: card(wangJianguoSsCard.cardSn, '王建国') });
    await expect.poll(() => identities.length).toBe(1);
    await applySimAction(devices, { action: 'remove-ss-card' });
    // No wait here: the reader polls, and without the answer-after-notice the two states would merge.
    expect(devices.handles.get('ss-card')!.holdsCard()).toBe(false);
    await applySimAction(devices, {
      action: 'insert-ss-card',
      card: card(
        wangJianguoSsCard.cardSn.replace(/.$/, (d) => (d === '0' ? '1' : '0')),
        '王二',
      ),
    });
    await expect.poll(() => identities.map((i) => i.name)).toEqual(['王建国', '王二']);
    await applySimAction(devices, { action: 'remove-ss-card' });
  });

  it('passes a scanned e-voucher code on with its symbology', async () => {
    await applySimAction(devices, { action: 'scan', code: '4243754826492874240001130000', aim: ']Q1' });
    await expect.poll(() => scans.at(-1)?.code).toBe('4243754826492874240001130000');
    expect(scans.at(-1)?.symbology).toBe('QR');
  });

  it('a device unplugged goes absent, and back to ready when replugged, without a restart', async () => {
    for (const id of ['printer', 'id-card', 'ss-card', 'scanner']) {
      await applySimAction(devices, { action: 'unplug', deviceId: id });
      await expect.poll(() => state(id), { timeout: 5000 }).toBe('absent');
      await applySimAction(devices, { action: 'replug', deviceId: id });
      await expect.poll(() => state(id), { timeout: 10_000 }).toBe('ready');
    }
  });

  it('the printer cover open is a fault with PRINTER_COVER_OPEN, and clears', async () => {
    await applySimAction(devices, { action: 'printer', condition: 'cover-open' });
    await expect.poll(() => devices.supervisor.get('printer').code).toBe('PRINTER_COVER_OPEN');
    expect(state('printer')).toBe('fault');
    await applySimAction(devices, { action: 'printer', condition: 'cover-closed' });
    await expect.poll(() => state('printer')).toBe('ready');
  });

  it('every self-test passes on the simulated devices', async () => {
    const results = await devices.selfTestAll();
    expect(results.map((r) => [r.deviceId, r.ok, r.code])).toEqual([
      ['id-card', true, null],
      ['ss-card', true, null],
      ['scanner', true, null],
      ['printer', true, null],
    ]);
    expect(results.find((r) => r.deviceId === 'id-card')!.message).toContain('read a resident card');
    expect(results.find((r) => r.deviceId === 'scanner')!.message).toContain('scanned QR');
    const printed = devices.sim!.printer.sim.receipts().at(-1)!;
    expect(printed.lines).toContain('打印测试');
    expect(printed.qr).toEqual(['ESTATION-PRINT-TEST']);
  });

  it('self-tests fail with the right code when a device is unplugged or the cover is open', async () => {
    await applySimAction(devices, { action: 'unplug', deviceId: 'id-card' });
    // A poll in flight when the cable goes may first time out (DEVICE_NOT_RESPONDING); the next
    // open finds no tty and settles on DEVICE_ABSENT.
    await expect.poll(() => devices.supervisor.get('id-card'), { timeout: 10_000 }).toMatchObject({ state: 'absent', code: 'DEVICE_ABSENT' });
    await applySimAction(devices, { action: 'printer', condition: 'cover-open' });
    await expect.poll(() => state('printer')).toBe('fault');
    const results = await devices.selfTestAll();
    expect(results.find((r) => r.deviceId === 'id-card')).toMatchObject({ ok: false, code: 'DEVICE_ABSENT' });
    expect(results.find((r) => r.deviceId === 'printer')).toMatchObject({ ok: false, code: 'PRINTER_COVER_OPEN' });
    await applySimAction(devices, { action: 'printer', condition: 'cover-closed' });
    await applySimAction(devices, { action: 'replug', deviceId: 'id-card' });
    await expect.poll(() => state('id-card'), { timeout: 10_000 }).toBe('ready');
  });
});
