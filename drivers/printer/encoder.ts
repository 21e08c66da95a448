/**
 * ESC/POS receipt encoder for Chinese thermal printers: GB18030 text in Chinese mode, sizes,
 * alignment, GS ( k QR codes and cuts (platform-and-devices.md §6.1). Pure: returns bytes.
 */
import iconv from 'iconv-lite';

export type Align = 'left' | 'center' | 'right';
export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const LF = 0x0a;

/** U+00A5 ¥ needs a 4-byte GB18030 sequence most printer fonts lack; the full-width ￥ (A3 A4) prints everywhere. */
export function toPrinterText(text: string): string {
  return text.replace(/\u00a5/g, '\uffe5');
}

export function encodeText(text: string): Buffer {
  return iconv.encode(toPrinterText(text), 'gb18030');
}

/** Display width in printer columns: double-byte characters take two. */
export function columns(text: string): number {
  let w = 0;
  for (const ch of toPrinterText(text)) w += ch.codePointAt(0)! < 0x80 ? 1 : 2;
  return w;
}

export class ReceiptBuilder {
  private readonly parts: Buffer[] = [];
  constructor(readonly width = 48) {}

  private raw(...bytes: number[]): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }

  init(): this {
    return this.raw(ESC, 0x40);
  }
  chinese(on = true): this {
    return on ? this.raw(FS, 0x26) : this.raw(FS, 0x2e);
  }
  align(a: Align): this {
    return this.raw(ESC, 0x61, a === 'left' ? 0 : a === 'center' ? 1 : 2);
  }
  /** Character size, 1–8 times in each direction (GS ! n). */
  size(width: number, height: number): this {
    if (width < 1 || width > 8 || height < 1 || height > 8) throw new RangeError('size is 1..8');
    return this.raw(GS, 0x21, ((width - 1) << 4) | (height - 1));
  }
  bold(on: boolean): this {
    return this.raw(ESC, 0x45, on ? 1 : 0);
  }
  text(t: string): this {
    this.parts.push(encodeText(t));
    return this;
  }
  line(t = ''): this {
    return this.text(t).raw(LF);
  }
  /** Left and right text on one line, padded to the paper width. */
  pair(left: string, right: string): this {
    const gap = Math.max(1, this.width - columns(left) - columns(right));
    return this.line(left + ' '.repeat(gap) + right);
  }
  rule(ch = '-'): this {
    return this.line(ch.repeat(this.width));
  }
  feed(lines: number): this {
    return this.raw(ESC, 0x64, Math.max(0, Math.min(255, lines)));
  }
  /** QR code with GS ( k: model 2, module size, error level, store, print. */
  qr(data: string, opts: { module?: number; level?: QrErrorLevel } = {}): this {
    const bytes = Buffer.from(data, 'utf8');
    if (bytes.length > 7089) throw new RangeError('QR data too long');
    const module = opts.module ?? 6;
    const level = { L: 48, M: 49, Q: 50, H: 51 }[opts.level ?? 'M'];
    const k = bytes.length + 3;
    this.raw(GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00);
    this.raw(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, module);
    this.raw(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, level);
    this.raw(GS, 0x28, 0x6b, k & 0xff, k >> 8, 0x31, 0x50, 0x30);
    this.parts.push(bytes);
    return this.raw(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30);
  }
  /** Feed `lines` and cut (GS V 66 n: partial cut after feeding). */
  cut(lines = 3, kind: 'partial' | 'full' = 'partial'): this {
    return this.raw(GS, 0x56, kind === 'partial' ? 0x42 : 0x41, lines);
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** DLE EOT n: real-time status request, answered with one byte even while the printer is stopped. */
export const realtimeStatus = (n: 1 | 2 | 3 | 4): Buffer => Buffer.from([0x10, 0x04, n]);
