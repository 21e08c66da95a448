/** AIM symbology identifiers (]cm) to names. */
const AIM: Record<string, string> = {
  Q: 'QR',
  d: 'DataMatrix',
  L: 'PDF417',
  z: 'Aztec',
  C: 'Code128',
  A: 'Code39',
  G: 'Code93',
  F: 'Codabar',
  I: 'ITF',
  e: 'GS1 DataBar',
};

export function symbologyFromAim(aim: string | null): string | null {
  if (!aim || aim.length < 2 || aim[0] !== ']') return null;
  const c = aim[1]!;
  if (c === 'E') return aim[2] === '4' ? 'EAN-8' : 'EAN-13';
  return AIM[c] ?? null;
}

/** Honeywell code identifiers (byte 60 of a HID POS report). */
const HONEYWELL: Record<number, string> = {
  0x73: 'QR',
  0x6a: 'Code128',
  0x64: 'EAN-13',
  0x44: 'EAN-8',
  0x77: 'DataMatrix',
  0x72: 'PDF417',
  0x62: 'Code39',
};

export function symbologyFromHoneywell(id: number): string | null {
  return HONEYWELL[id] ?? null;
}

export interface ScanResult {
  /** The decoded data exactly as scanned. */
  code: string;
  symbology: string | null;
  aim: string | null;
  source: 'hid-pos' | 'keyboard-wedge' | 'serial';
}
