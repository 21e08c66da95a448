/**
 * Keyboard-wedge scanners: HID boot keyboard reports [modifiers, 0, key1..key6], one press and
 * one release per character, Enter (0x28) at the end of a code. US layout.
 */
import type { ScanResult } from './symbology';

const LOWER: Record<number, string> = {};
const UPPER: Record<number, string> = {};
for (let i = 0; i < 26; i++) {
  LOWER[0x04 + i] = String.fromCharCode(97 + i);
  UPPER[0x04 + i] = String.fromCharCode(65 + i);
}
'1234567890'.split('').forEach((c, i) => (LOWER[0x1e + i] = c));
'!@#$%^&*()'.split('').forEach((c, i) => (UPPER[0x1e + i] = c));
const PUNCT: [number, string, string][] = [
  [0x2c, ' ', ' '],
  [0x2d, '-', '_'],
  [0x2e, '=', '+'],
  [0x2f, '[', '{'],
  [0x30, ']', '}'],
  [0x31, '\\', '|'],
  [0x33, ';', ':'],
  [0x34, "'", '"'],
  [0x35, '`', '~'],
  [0x36, ',', '<'],
  [0x37, '.', '>'],
  [0x38, '/', '?'],
];
for (const [k, l, u] of PUNCT) {
  LOWER[k] = l;
  UPPER[k] = u;
}
const ENTER = 0x28;
const SHIFT = 0x02 | 0x20;
export const MAX_WEDGE_CHARS = 4096;

export class KeyboardWedgeDecoder {
  private text = '';
  private down = new Set<number>();

  /** Feeds one 8-byte boot report; returns a scan when Enter completes one. */
  push(report: Buffer): ScanResult | null {
    if (report.length < 8) return null;
    const mods = report[0]!;
    const keys = [...report.subarray(2, 8)].filter((k) => k > 0x03);
    let done: ScanResult | null = null;
    for (const k of keys) {
      if (this.down.has(k)) continue; // held, not a new press
      if (k === ENTER) {
        if (this.text.length > 0) done = { code: this.text, symbology: null, aim: null, source: 'keyboard-wedge' };
        this.text = '';
        continue;
      }
      const ch = (mods & SHIFT ? UPPER : LOWER)[k];
      if (ch !== undefined && this.text.length < MAX_WEDGE_CHARS) this.text += ch;
    }
    this.down = new Set(keys);
    return done;
  }
}

/** Boot reports that type `text` followed by Enter, with releases in between. */
export function wedgeReports(text: string): Buffer[] {
  const out: Buffer[] = [];
  const release = Buffer.alloc(8);
  for (const ch of text) {
    let key: number | undefined;
    let shift = false;
    for (const [k, v] of Object.entries(LOWER)) if (v === ch) key = Number(k);
    if (key === undefined) {
      for (const [k, v] of Object.entries(UPPER)) if (v === ch) key = Number(k);
      shift = true;
    }
    if (key === undefined) throw new RangeError(`a US keyboard cannot type ${JSON.stringify(ch)}`);
    out.push(Buffer.from([shift ? 0x02 : 0, 0, key, 0, 0, 0, 0, 0]), release);
  }
  out.push(Buffer.from([0, 0, ENTER, 0, 0, 0, 0, 0]), release);
  return out;
}
