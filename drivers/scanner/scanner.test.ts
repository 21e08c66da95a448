import { describe, expect, it } from 'vitest';
import { FakeHidTransport } from '../transport/hid';
import { HidPosDecoder, HidPosScanner, hidPosReports } from './hid-pos';
import { KeyboardWedgeDecoder, wedgeReports } from './keyboard-wedge';
import { SerialLineDecoder } from './serial-line';
import type { ScanResult } from './symbology';
import iconv from 'iconv-lite';

const EVOUCHER = '4243754826492874240001130000';

describe('HID POS scanner', () => {
  it('enables HID POS output and decodes a one-report QR scan with its symbology', async () => {
    const hid = new FakeHidTransport({ vendorId: 0x0c2e, productId: 0x0b87, path: 'fake', usagePage: 0x8c, usage: 2 });
    const scanner = new HidPosScanner(hid);
    const scans: ScanResult[] = [];
    scanner.on('scan', (s) => scans.push(s));
    await scanner.enable();
    expect(hid.featureReports[0]).toEqual(Buffer.from([0xfe, 0x01]));
    for (const r of hidPosReports(EVOUCHER)) hid.push(r);
    expect(scans).toEqual([{ code: EVOUCHER, symbology: 'QR', aim: ']Q1', source: 'hid-pos' }]);
  });

  it('joins a long code split over several reports by the continuation flag', () => {
    const long = 'RX:' + 'A1B2C3D4'.repeat(30);
    const reports = hidPosReports(long);
    expect(reports.length).toBe(Math.ceil(long.length / 56));
    expect(reports.map((r) => r[63])).toEqual([...Array(reports.length - 1).fill(1), 0]);
    const d = new HidPosDecoder();
    const results = reports.map((r) => d.push(r).result).filter(Boolean);
    expect(results).toEqual([{ code: long, symbology: 'QR', aim: ']Q1', source: 'hid-pos' }]);
  });

  it('reads EAN-13 drug barcodes and GB18030 prescription text', () => {
    const d = new HidPosDecoder();
    expect(d.push(hidPosReports('6901234567892', ']E0', 0x64)[0]!).result).toMatchObject({ code: '6901234567892', symbology: 'EAN-13' });
    const rx = iconv.encode('处方:阿莫西林胶囊', 'gb18030');
    expect(d.push(hidPosReports(rx)[0]!).result?.code).toBe('处方:阿莫西林胶囊');
  });

  it('ignores other report IDs and refuses impossible lengths without losing the next scan', () => {
    const d = new HidPosDecoder();
    expect(d.push(Buffer.from([0x01, 0x05]))).toEqual({});
    const bad = Buffer.from(hidPosReports('x')[0]!);
    bad[1] = 200;
    expect(d.push(bad).error?.code).toBe('SCANNER_BAD_REPORT');
    expect(d.push(hidPosReports('OK')[0]!).result?.code).toBe('OK');
  });

  it('survives 10,000 random and mutated reports', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 0x100000000;
    const d = new HidPosDecoder();
    const good = hidPosReports('HELLO')[0]!;
    let ok = 0;
    for (let i = 0; i < 10_000; i++) {
      const r = i % 2 ? Buffer.from(good) : Buffer.from(Array.from({ length: Math.floor(rnd() * 70) }, () => Math.floor(rnd() * 256)));
      if (i % 5 === 0) r[Math.floor(rnd() * r.length)] = Math.floor(rnd() * 256);
      r[0] = i % 3 ? 0x02 : r[0]!;
      if (d.push(r).result) ok++;
    }
    expect(ok).toBeGreaterThan(1000);
  });
});

describe('keyboard-wedge scanner', () => {
  it('turns boot reports into text with Shift and ends at Enter', () => {
    const d = new KeyboardWedgeDecoder();
    const text = 'Abc-123_XYZ/?';
    const results = wedgeReports(text)
      .map((r) => d.push(r))
      .filter(Boolean);
    expect(results).toEqual([{ code: text, symbology: null, aim: null, source: 'keyboard-wedge' }]);
  });
  it('does not repeat a held key and ignores an empty Enter', () => {
    const d = new KeyboardWedgeDecoder();
    d.push(Buffer.from([0, 0, 0x04, 0, 0, 0, 0, 0]));
    d.push(Buffer.from([0, 0, 0x04, 0, 0, 0, 0, 0]));
    d.push(Buffer.from([0, 0, 0x04, 0x05, 0, 0, 0, 0]));
    expect(d.push(Buffer.from([0, 0, 0x28, 0, 0, 0, 0, 0]))?.code).toBe('ab');
    expect(d.push(Buffer.alloc(8))).toBeNull();
    expect(d.push(Buffer.from([0, 0, 0x28, 0, 0, 0, 0, 0]))).toBeNull();
  });
});

describe('serial-line scanner', () => {
  it('splits on CR and CRLF across arbitrary chunks', () => {
    const d = new SerialLineDecoder();
    const stream = Buffer.from(`${EVOUCHER}\r6901234567892\r\nLAST\n`);
    const out: string[] = [];
    for (let i = 0; i < stream.length; i += 3) out.push(...d.push(stream.subarray(i, i + 3)).map((r) => r.code));
    expect(out).toEqual([EVOUCHER, '6901234567892', 'LAST']);
  });
  it('drops an endless line instead of growing without bound', () => {
    const d = new SerialLineDecoder();
    d.push(Buffer.alloc(20_000, 0x41));
    expect(d.overflowed).toBeGreaterThan(0);
    expect(d.push(Buffer.from('\rOK\r')).map((r) => r.code)).toEqual(['A'.repeat(20_000 - 8192 * 2), 'OK']);
  });
});
