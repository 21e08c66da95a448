/**
 * Reads ESC/POS bytes back into what a person would see on the paper: lines of text, QR
 * payloads and cuts. The printer simulator prints with it and tests assert on its output.
 */
import iconv from 'iconv-lite';

export type PrintedItem =
  | { type: 'line'; text: string; align: 'left' | 'center' | 'right'; size: [number, number]; bold: boolean }
  | { type: 'qr'; data: string }
  | { type: 'cut'; partial: boolean }
  | { type: 'status-request'; n: number };

export interface ReceiptView {
  lines: string[];
  qr: string[];
  cut: boolean;
  items: PrintedItem[];
}

/**
 * Incremental: returns the items completed by the bytes so far and keeps an incomplete command
 * for the next push. `consumed` tells how many bytes were processed (the simulator uses it to
 * stop at the point where paper ran out).
 */
export class EscPosParser {
  private buf: Buffer = Buffer.alloc(0);
  private line: number[] = [];
  private align: 'left' | 'center' | 'right' = 'left';
  private size: [number, number] = [1, 1];
  private bold = false;
  private qrData: Buffer | null = null;
  unknown = 0;

  push(chunk: Uint8Array): PrintedItem[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const out: PrintedItem[] = [];
    let i = 0;
    const b = this.buf;
    const need = (n: number) => i + n <= b.length;
    outer: while (i < b.length) {
      const c = b[i]!;
      switch (c) {
        case 0x0a:
          out.push(this.flushLine());
          i += 1;
          break;
        case 0x0d:
          i += 1;
          break;
        case 0x10: // DLE EOT n
          if (!need(3)) break outer;
          if (b[i + 1] === 0x04) out.push({ type: 'status-request', n: b[i + 2]! });
          i += 3;
          break;
        case 0x1b: {
          if (!need(2)) break outer;
          const cmd = b[i + 1]!;
          if (cmd === 0x40) {
            this.align = 'left';
            this.size = [1, 1];
            this.bold = false;
            i += 2;
          } else if (cmd === 0x61 || cmd === 0x21 || cmd === 0x45 || cmd === 0x64 || cmd === 0x4d || cmd === 0x74) {
            if (!need(3)) break outer;
            const n = b[i + 2]!;
            if (cmd === 0x61) this.align = n % 48 === 1 ? 'center' : n % 48 === 2 ? 'right' : 'left';
            if (cmd === 0x45) this.bold = (n & 1) === 1;
            if (cmd === 0x21) this.size = [n & 0x20 ? 2 : 1, n & 0x10 ? 2 : 1];
            if (cmd === 0x64) for (let k = 0; k < n; k++) out.push(this.flushLine());
            i += 3;
          } else {
            this.unknown++;
            i += 2;
          }
          break;
        }
        case 0x1c: {
          if (!need(2)) break outer;
          const cmd = b[i + 1]!;
          if (cmd === 0x26 || cmd === 0x2e) i += 2;
          else if (cmd === 0x21 || cmd === 0x57) {
            if (!need(3)) break outer;
            i += 3;
          } else {
            this.unknown++;
            i += 2;
          }
          break;
        }
        case 0x1d: {
          if (!need(2)) break outer;
          const cmd = b[i + 1]!;
          if (cmd === 0x21) {
            if (!need(3)) break outer;
            const n = b[i + 2]!;
            this.size = [(n >> 4) + 1, (n & 0x0f) + 1];
            i += 3;
          } else if (cmd === 0x56) {
            if (!need(3)) break outer;
            const m = b[i + 2]!;
            if (m === 0x41 || m === 0x42 || m === 0x61 || m === 0x62) {
              if (!need(4)) break outer;
              for (let k = 0; k < b[i + 3]!; k++) out.push(this.flushLine());
              i += 4;
            } else i += 3;
            if (this.line.length) out.push(this.flushLine());
            out.push({ type: 'cut', partial: m === 0x01 || m === 0x31 || m === 0x42 || m === 0x62 });
          } else if (cmd === 0x28) {
            if (!need(5)) break outer;
            const fnKind = b[i + 2]!;
            const len = b[i + 3]! | (b[i + 4]! << 8);
            if (!need(5 + len)) break outer;
            const params = b.subarray(i + 5, i + 5 + len);
            if (fnKind === 0x6b && params[0] === 0x31) {
              if (params[1] === 0x50) this.qrData = Buffer.from(params.subarray(3));
              if (params[1] === 0x51 && this.qrData) {
                out.push({ type: 'qr', data: this.qrData.toString('utf8') });
              }
            }
            i += 5 + len;
          } else if (cmd === 0x72) {
            if (!need(3)) break outer;
            i += 3;
          } else {
            this.unknown++;
            i += 2;
          }
          break;
        }
        default: {
          // Text: GB18030 lead bytes 0x81–0xFE take a second (or, with a digit, a fourth) byte.
          if (c >= 0x81 && c <= 0xfe) {
            if (!need(2)) break outer;
            const c2 = b[i + 1]!;
            if (c2 >= 0x30 && c2 <= 0x39) {
              if (!need(4)) break outer;
              this.line.push(c, c2, b[i + 2]!, b[i + 3]!);
              i += 4;
            } else {
              this.line.push(c, c2);
              i += 2;
            }
          } else {
            if (c >= 0x20) this.line.push(c);
            i += 1;
          }
        }
      }
    }
    this.buf = this.buf.subarray(i);
    return out;
  }

  private flushLine(): PrintedItem {
    const text = iconv.decode(Buffer.from(this.line), 'gb18030');
    this.line = [];
    return { type: 'line', text, align: this.align, size: [...this.size] as [number, number], bold: this.bold };
  }
}

/** Parses a complete byte string into receipts, one per cut. */
export function readReceipts(bytes: Uint8Array): ReceiptView[] {
  const items = new EscPosParser().push(bytes);
  const receipts: ReceiptView[] = [];
  let cur: ReceiptView = { lines: [], qr: [], cut: false, items: [] };
  for (const it of items) {
    cur.items.push(it);
    if (it.type === 'line') cur.lines.push(it.text);
    if (it.type === 'qr') cur.qr.push(it.data);
    if (it.type === 'cut') {
      cur.cut = true;
      receipts.push(cur);
      cur = { lines: [], qr: [], cut: false, items: [] };
    }
  }
  if (cur.items.length) receipts.push(cur);
  return receipts;
}
