/**
 * Scanners in serial (or USB-CDC) mode send the code followed by CR or CR LF. Chunks arrive in
 * any split; a lone LF also ends a line, and a trailing LF after CR is swallowed.
 */
import type { ScanResult } from './symbology';
import { decodeScannedBytes } from './text';

export const MAX_LINE_BYTES = 8192;

export class SerialLineDecoder {
  private buf: number[] = [];
  private lastWasCr = false;
  overflowed = 0;

  push(chunk: Uint8Array): ScanResult[] {
    const out: ScanResult[] = [];
    for (const b of chunk) {
      if (b === 0x0a && this.lastWasCr) {
        this.lastWasCr = false;
        continue;
      }
      this.lastWasCr = b === 0x0d;
      if (b === 0x0d || b === 0x0a) {
        if (this.buf.length) out.push({ code: decodeScannedBytes(Buffer.from(this.buf)), symbology: null, aim: null, source: 'serial' });
        this.buf = [];
        continue;
      }
      if (this.buf.length >= MAX_LINE_BYTES) {
        this.overflowed++;
        this.buf = [];
      }
      this.buf.push(b);
    }
    return out;
  }
}
