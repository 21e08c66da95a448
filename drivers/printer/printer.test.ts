import { afterEach, describe, expect, it } from 'vitest';
import { memoryPair } from '../transport/memory';
import { ReceiptBuilder, encodeText, realtimeStatus } from './encoder';
import { EscPosParser, readReceipts } from './parser';
import { ReceiptPrinter } from './printer';
import { PrinterSimulator } from './simulator';
import { conditionOf, isStatusByte } from './status';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function sampleReceipt(lines = 6): Buffer {
  const r = new ReceiptBuilder().init().chinese().align('center').size(2, 2).line('医保结算单').size(1, 1).align('left');
  for (let i = 1; i <= lines; i++) r.pair(`阿莫西林胶囊 ${i}`, '¥12.50');
  return r.qr('https://verify.example/estation/P44030300001202611240001').cut().bytes();
}

describe('ESC/POS encoder against the reference bytes', () => {
  it('emits the receipt prologue', () => {
    const b = new ReceiptBuilder().init().chinese().align('center').size(2, 2).bytes();
    expect(b).toEqual(hex('1B 40 1C 26 1B 61 01 1D 21 11'));
  });
  it('emits GS ( k for a QR code: model 2, module 6, level M, store, print', () => {
    const b = new ReceiptBuilder().qr('ABC').bytes();
    expect(b).toEqual(
      hex('1D 28 6B 04 00 31 41 32 00  1D 28 6B 03 00 31 43 06  1D 28 6B 03 00 31 45 31  1D 28 6B 06 00 31 50 30 41 42 43  1D 28 6B 03 00 31 51 30'),
    );
  });
  it('cuts with feed and partial cut (GS V 42 n)', () => {
    expect(new ReceiptBuilder().cut(3).bytes()).toEqual(hex('1D 56 42 03'));
  });
  it('encodes Chinese as GB18030 and prints ¥ as the full-width ￥ (A3 A4)', () => {
    expect(encodeText('医保')).toEqual(hex('D2 BD B1 A3'));
    expect(encodeText('¥5')).toEqual(hex('A3 A4 35'));
    expect(encodeText('￥5')).toEqual(hex('A3 A4 35'));
  });
  it('asks real-time status with DLE EOT n', () => {
    expect(realtimeStatus(4)).toEqual(hex('10 04 04'));
  });
  it('reads its own receipt back: lines, QR and a cut', () => {
    const [r] = readReceipts(sampleReceipt(2));
    expect(r!.lines[0]).toBe('医保结算单');
    expect(r!.lines[1]).toMatch(/^阿莫西林胶囊 1 +￥12\.50$/);
    expect(r!.lines[1]!.length).toBeLessThanOrEqual(48);
    expect(r!.qr).toEqual(['https://verify.example/estation/P44030300001202611240001']);
    expect(r!.cut).toBe(true);
  });
});

describe('DLE EOT status bytes', () => {
  const s = (printer: number, offlineCause: number, errorCause: number, paperSensor: number) => conditionOf({ printer, offlineCause, errorCause, paperSensor });
  it('maps every condition', () => {
    expect(s(0x12, 0x12, 0x12, 0x12)).toBe('ready');
    expect(s(0x12, 0x12, 0x12, 0x1e)).toBe('paper-near-end');
    expect(s(0x1a, 0x32, 0x12, 0x7e)).toBe('paper-out');
    expect(s(0x1a, 0x16, 0x12, 0x12)).toBe('cover-open');
    expect(s(0x1a, 0x12, 0x12, 0x12)).toBe('offline');
    expect(s(0x1a, 0x52, 0x1a, 0x12)).toBe('cutter-error');
    expect(s(0x1a, 0x52, 0x32, 0x12)).toBe('unrecoverable-error');
  });
  it('recognises a status byte by its fixed bits', () => {
    expect(isStatusByte(0x12)).toBe(true);
    expect(isStatusByte(0x7e)).toBe(true);
    expect(isStatusByte(0x00)).toBe(false);
    expect(isStatusByte(0x92)).toBe(false);
  });
});

describe('ReceiptPrinter with the simulator', () => {
  let cleanup: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await cleanup?.();
    cleanup = null;
  });
  function rig() {
    const [host, device] = memoryPair('printer');
    const sim = new PrinterSimulator(device);
    const printer = new ReceiptPrinter(host, { statusTimeoutMs: 100, pollMs: 20, silenceLimitMs: 500 });
    cleanup = () => printer.close();
    return { sim, printer };
  }

  it('prints a receipt once and reports ready', async () => {
    const { sim, printer } = rig();
    expect((await printer.status()).condition).toBe('ready');
    printer.submit('r1', sampleReceipt());
    expect((await printer.waitFor('r1')).state).toBe('done');
    expect(sim.receipts()).toHaveLength(1);
    expect(sim.receipts()[0]!.lines.filter(Boolean)).toHaveLength(7);
  });

  it('paper out mid-job: the job completes once after paper is loaded, never twice', async () => {
    const { sim, printer } = rig();
    sim.runOutAfter(4);
    const states: string[] = [];
    printer.on('job', (j) => states.push(`${j.state}${j.reason ? ':' + j.reason : ''}`));
    printer.submit('r2', sampleReceipt(10));
    await expect.poll(() => printer.job('r2')?.reason).toBe('PRINTER_PAPER_OUT');
    expect(printer.job('r2')?.state).toBe('sent');
    expect(sim.receipts()[0]!.cut).toBe(false);
    // The cashier presses print again: same job id, nothing is sent again.
    expect(printer.submit('r2', sampleReceipt(10)).state).toBe('sent');
    sim.loadPaper();
    expect((await printer.waitFor('r2')).state).toBe('done');
    const receipts = sim.receipts();
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.lines.filter((l) => l.startsWith('阿莫西林胶囊'))).toHaveLength(10);
    expect(receipts[0]!.cut).toBe(true);
    expect(states).toContain('sent:PRINTER_PAPER_OUT');
  });

  it('cover open before printing: waits with PRINTER_COVER_OPEN, prints once when closed', async () => {
    const { sim, printer } = rig();
    sim.setCoverOpen(true);
    printer.submit('r3', sampleReceipt(1));
    await expect.poll(() => printer.job('r3')?.reason).toBe('PRINTER_COVER_OPEN');
    expect(sim.printed).toHaveLength(0);
    sim.setCoverOpen(false);
    expect((await printer.waitFor('r3')).state).toBe('done');
    expect(sim.receipts()).toHaveLength(1);
  });

  it('unplugged: status says not responding and the job waits; replugged: it prints once', async () => {
    const { sim, printer } = rig();
    sim.unplug();
    await expect(printer.status()).rejects.toMatchObject({ code: 'PRINTER_NOT_RESPONDING' });
    expect(printer.condition).toBe('not-responding');
    printer.submit('r4', sampleReceipt(1));
    await expect.poll(() => printer.job('r4')?.reason).toBe('PRINTER_NOT_RESPONDING');
    sim.replug();
    expect((await printer.waitFor('r4')).state).toBe('done');
    expect(sim.receipts()).toHaveLength(1);
  });

  it('a write that fails leaves the job unknown instead of retrying it', async () => {
    const [host, device] = memoryPair('printer');
    const sim = new PrinterSimulator(device);
    const printer = new ReceiptPrinter(host, { statusTimeoutMs: 100, pollMs: 20 });
    const orig = host.write.bind(host);
    let writes = 0;
    host.write = async (d: Uint8Array) => {
      if (d.length > 3 && writes++ === 0) throw new Error('EIO');
      return orig(d);
    };
    printer.submit('r5', sampleReceipt(1));
    const job = await printer.waitFor('r5');
    expect(job.state).toBe('unknown');
    expect(job.reason).toMatch(/PRINTER_OUTCOME_UNKNOWN/);
    expect(sim.printed).toHaveLength(0);
    await printer.close();
  });

  it('a cutter jam is reported as PRINTER_CUTTER_ERROR', async () => {
    const { sim, printer } = rig();
    sim.setCutterError(true);
    expect((await printer.status()).condition).toBe('cutter-error');
  });
});

describe('ESC/POS parser robustness', () => {
  it('survives 10,000 random and mutated byte strings', () => {
    let seed = 3;
    const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 0x100000000;
    const good = sampleReceipt(2);
    const p = new EscPosParser();
    let items = 0;
    for (let i = 0; i < 10_000; i++) {
      const b = i % 2 ? Buffer.from(good) : Buffer.from(Array.from({ length: Math.floor(rnd() * 80) }, () => Math.floor(rnd() * 256)));
      if (i % 3 === 0) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      items += p.push(i % 7 === 0 ? b.subarray(0, Math.floor(rnd() * b.length)) : b).length;
    }
    expect(items).toBeGreaterThan(1000);
  });
});

describe('a printer whose port is slower than the status timeout', () => {
  it('answers PRINTER_NOT_RESPONDING and leaves no unhandled rejection behind', async () => {
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    const [host] = memoryPair('slow-printer');
    // Every write takes 80 ms; the status timeout is 20 ms, so the timer fires mid-write.
    let writes = 0;
    const slow = Object.assign(Object.create(Object.getPrototypeOf(host)), host, {
      write: (data: Uint8Array) => {
        writes++;
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            void host.write(data).catch(() => undefined);
            resolve();
          }, 80),
        );
      },
    });
    const printer = new ReceiptPrinter(slow, { statusTimeoutMs: 20, pollMs: 10 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => printer.status()));
      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'))).toEqual(Array(5).fill('PRINTER_NOT_RESPONDING'));
      expect(writes).toBe(5);
      // Give the event loop a turn so a stray rejection would have been reported.
      await new Promise((r) => setImmediate(r));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await printer.close();
    }
  });
});

describe('a printer whose port never completes a write (its far end stopped reading)', () => {
  it('answers PRINTER_NOT_RESPONDING at the status timeout, request after request, and still closes', async () => {
    const [host] = memoryPair('stuck-printer');
    let writes = 0;
    const stuck = Object.assign(Object.create(Object.getPrototypeOf(host)), host, {
      write: () => {
        writes++;
        return new Promise<void>(() => undefined);
      },
    });
    const printer = new ReceiptPrinter(stuck, { statusTimeoutMs: 30, pollMs: 10 });
    const results = await Promise.allSettled([printer.status(), printer.status(), printer.status()]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'))).toEqual(Array(3).fill('PRINTER_NOT_RESPONDING'));
    // Each status() stops at its first request; none waited for the write before it.
    expect(writes).toBe(3);
    expect(printer.condition).toBe('not-responding');
    await printer.close();
  });
});
