import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPtyPair, socatAvailable, type PtyPair } from '../../drivers/transport/pty';
import { SerialTransport } from '../../drivers/transport/serial';
import { IdCardSimulator } from '../../drivers/id-card/simulator';
import { PrinterSimulator } from '../../drivers/printer/simulator';
import { wangJianguo } from '../../fixtures/people/id-cards';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const estation = (args: string[]) => run(process.execPath, [path.join(root, 'bin/estation.js'), ...args], { cwd: root, timeout: 60_000 });

describe('estation devices list', () => {
  it('lists serial ports, HID devices and the configured devices as JSON', async () => {
    const r = JSON.parse((await estation(['devices', 'list', '--json'])).stdout);
    expect(Array.isArray(r.serialPorts)).toBe(true);
    expect(Array.isArray(r.hidDevices)).toBe(true);
    expect(r.configured.simulate).toBe(true);
  });
});

describe('estation devices test --simulate', () => {
  it('reports every simulated device passing', async () => {
    const { stdout } = await estation(['devices', 'test', '--simulate', '--json']);
    const report = JSON.parse(stdout);
    expect(report.passed).toBe(true);
    expect(report.results.map((r: { deviceId: string; ok: boolean }) => [r.deviceId, r.ok])).toEqual([
      ['id-card', true],
      ['ss-card', true],
      ['scanner', true],
      ['printer', true],
    ]);
  });
});

describe.skipIf(!socatAvailable())('estation devices read-id / print-test on a PTY port (needs socat)', () => {
  let idPty: PtyPair;
  let printerPty: PtyPair;
  const ends: SerialTransport[] = [];
  let idSim: IdCardSimulator;
  let printerSim: PrinterSimulator;

  beforeAll(async () => {
    idPty = await createPtyPair('cli-id');
    printerPty = await createPtyPair('cli-printer');
    const idEnd = await SerialTransport.open({ path: idPty.devicePath, baudRate: 115200 });
    const printerEnd = await SerialTransport.open({ path: printerPty.devicePath, baudRate: 115200 });
    ends.push(idEnd, printerEnd);
    idSim = new IdCardSimulator(idEnd);
    printerSim = new PrinterSimulator(printerEnd);
  });
  afterAll(async () => {
    for (const e of ends) await e.close();
    await idPty?.close();
    await printerPty?.close();
  });

  it('read-id prints the parsed fields, masked unless asked', async () => {
    idSim.insert({ text: wangJianguo });
    const { stdout } = await estation(['devices', 'read-id', '--port', idPty.hostPath, '--json']);
    const r = JSON.parse(stdout);
    expect(r.card).toMatchObject({
      kind: 'resident',
      name: '王*国',
      idNumber: `${wangJianguo.idNumber.slice(0, 3)}${'*'.repeat(11)}${wangJianguo.idNumber.slice(-4)}`,
      birthDate: '19500101',
      validTo: '长期',
    });
    expect(r.photoBytes).toBe(1024);
    const full = JSON.parse((await estation(['devices', 'read-id', '--port', idPty.hostPath, '--json', '--unmasked'])).stdout);
    expect(full.card.idNumber).toBe(wangJianguo.idNumber);
  });

  it('read-id says so when no card arrives', async () => {
    idSim.remove();
    const err = (await estation(['devices', 'read-id', '--port', idPty.hostPath, '--timeout', '1']).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('ID_CARD_NOT_FOUND');
  });

  it('print-test prints a receipt with Chinese text, a QR code and a cut', async () => {
    const { stdout } = await estation(['devices', 'print-test', '--port', printerPty.hostPath]);
    expect(stdout).toContain('test receipt done');
    const [receipt] = printerSim.receipts();
    expect(receipt!.lines).toContain('打印测试');
    expect(receipt!.lines.some((l) => l.includes('医保结算 ￥12.34'))).toBe(true);
    expect(receipt!.qr).toEqual(['ESTATION-PRINT-TEST']);
    expect(receipt!.cut).toBe(true);
  });
});
