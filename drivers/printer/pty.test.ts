/**
 * Print over a real PTY pair with the real serialport binding, and read back what the printer
 * simulator received: lines of text, the QR payload and the cut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPtyPair, socatAvailable, type PtyPair } from '../transport/pty';
import { SerialTransport } from '../transport/serial';
import { ReceiptBuilder } from './encoder';
import { ReceiptPrinter } from './printer';
import { PrinterSimulator } from './simulator';

describe.skipIf(!socatAvailable())('receipt printer over a socat PTY with the real serialport binding (needs socat)', () => {
  let pty: PtyPair;
  let host: SerialTransport;
  let device: SerialTransport;
  let sim: PrinterSimulator;
  let printer: ReceiptPrinter;

  beforeAll(async () => {
    pty = await createPtyPair('printer');
    host = await SerialTransport.open({ path: pty.hostPath, baudRate: 115200 });
    device = await SerialTransport.open({ path: pty.devicePath, baudRate: 115200 });
    sim = new PrinterSimulator(device);
    printer = new ReceiptPrinter(host, { statusTimeoutMs: 500, pollMs: 50 });
  });
  afterAll(async () => {
    await printer?.close();
    await host?.close();
    await device?.close();
    await pty?.close();
  });

  it('prints a Chinese receipt with a QR code and a cut', async () => {
    const bytes = new ReceiptBuilder()
      .init()
      .chinese()
      .align('center')
      .size(2, 2)
      .line('医保结算单')
      .size(1, 1)
      .align('left')
      .pair('医疗费总额', '¥45.20')
      .pair('统筹基金支付', '¥27.12')
      .pair('个人账户支付', '¥18.08')
      .qr('P44030300001202611241030150007')
      .cut()
      .bytes();
    printer.submit('pty-1', bytes);
    expect((await printer.waitFor('pty-1', 10_000)).state).toBe('done');
    const [receipt] = sim.receipts();
    expect(receipt!.lines.filter(Boolean)).toEqual([
      '医保结算单',
      expect.stringMatching(/^医疗费总额 +￥45\.20$/),
      expect.stringMatching(/^统筹基金支付 +￥27\.12$/),
      expect.stringMatching(/^个人账户支付 +￥18\.08$/),
    ]);
    expect(receipt!.qr).toEqual(['P44030300001202611241030150007']);
    expect(receipt!.cut).toBe(true);
  });
});
