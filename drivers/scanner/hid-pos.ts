/**
 * HID POS bar-code scanners (usage page 0x8C, usage 0x02). Layout of the Honeywell "scanned
 * data" input report (report ID 0x02, 63-byte payload), as node-hid delivers it with the report
 * ID in byte 0:
 *
 *   0      report ID (0x02)
 *   1      length of data in this report
 *   2..4   AIM symbology identifier, e.g. "]Q1"
 *   5..    data (up to 56 bytes)
 *   61     Honeywell code identifier
 *   63     continuation flag: non-zero = more reports follow
 *
 * The host enables HID POS output with feature report 0xFE, data 0x01.
 */
import { EventEmitter } from 'node:events';
import type { HidTransport } from '../transport/hid';
import { symbologyFromAim, symbologyFromHoneywell, type ScanResult } from './symbology';
import { decodeScannedBytes } from './text';

export const HID_POS_USAGE_PAGE = 0x8c;
export const REPORT_ID_SCANNED_DATA = 0x02;
export const REPORT_BYTES = 64;
export const MAX_DATA_PER_REPORT = 56;
/** A scan longer than this is garbage, not a code. */
export const MAX_SCAN_BYTES = 8192;

export class ScannerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ScannerError';
  }
}

export interface HidPosEvents {
  scan: [ScanResult];
  error: [ScannerError];
}

/** Reassembles multi-report scans. Pure: feed reports, get results. */
export class HidPosDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private aim: string | null = null;

  push(report: Buffer): { result?: ScanResult; error?: ScannerError } {
    if (report.length < 2 || report[0] !== REPORT_ID_SCANNED_DATA) {
      return report[0] === REPORT_ID_SCANNED_DATA ? { error: new ScannerError('SCANNER_BAD_REPORT', 'report too short') } : {};
    }
    const len = report[1]!;
    if (len > MAX_DATA_PER_REPORT || report.length < 5 + len) {
      this.reset();
      return { error: new ScannerError('SCANNER_BAD_REPORT', `report claims ${len} data bytes`) };
    }
    if (this.parts.length === 0) {
      const aim = report.subarray(2, 5).toString('latin1');
      this.aim = aim.startsWith(']') ? aim : null;
    }
    this.parts.push(Buffer.from(report.subarray(5, 5 + len)));
    this.size += len;
    if (this.size > MAX_SCAN_BYTES) {
      this.reset();
      return { error: new ScannerError('SCANNER_TOO_LONG', `scan over ${MAX_SCAN_BYTES} bytes`) };
    }
    const more = report.length > 63 && report[63] !== 0;
    if (more) return {};
    const data = Buffer.concat(this.parts);
    const codeId = report.length > 61 ? report[61]! : 0;
    const aim = this.aim;
    this.reset();
    if (data.length === 0) return { error: new ScannerError('SCANNER_EMPTY', 'empty scan') };
    return { result: { code: decodeScannedBytes(data), symbology: symbologyFromAim(aim) ?? symbologyFromHoneywell(codeId), aim, source: 'hid-pos' } };
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
    this.aim = null;
  }
}

export class HidPosScanner extends EventEmitter<HidPosEvents> {
  private readonly decoder = new HidPosDecoder();
  private readonly onData = (report: Buffer) => {
    const r = this.decoder.push(report);
    if (r.result) this.emit('scan', r.result);
    if (r.error) this.emit('error', r.error);
  };

  constructor(private readonly hid: HidTransport) {
    super();
    hid.on('data', this.onData);
  }

  /** Switches the scanner to HID POS output (feature report 0xFE, data 0x01). */
  async enable(): Promise<void> {
    await this.hid.sendFeatureReport(Buffer.from([0xfe, 0x01]));
  }

  async close(): Promise<void> {
    this.hid.off('data', this.onData);
    await this.hid.close();
  }
}

/** The input reports a HID POS scanner sends for one scan (the simulator and tests use this). */
export function hidPosReports(code: string | Buffer, aim = ']Q1', codeId = 0x73): Buffer[] {
  const data = typeof code === 'string' ? Buffer.from(code, 'utf8') : code;
  const reports: Buffer[] = [];
  for (let off = 0; off === 0 || off < data.length; off += MAX_DATA_PER_REPORT) {
    const chunk = data.subarray(off, off + MAX_DATA_PER_REPORT);
    const r = Buffer.alloc(REPORT_BYTES);
    r[0] = REPORT_ID_SCANNED_DATA;
    r[1] = chunk.length;
    r.write(aim.padEnd(3, '\0').slice(0, 3), 2, 'latin1');
    chunk.copy(r, 5);
    r[61] = codeId;
    r[63] = off + MAX_DATA_PER_REPORT < data.length ? 1 : 0;
    reports.push(r);
  }
  return reports;
}
