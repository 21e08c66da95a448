/**
 * ISO 7816 APDUs of the social-security card (社会保障卡) and its records
 * (platform-and-devices.md §4.1).
 */
import iconv from 'iconv-lite';

/** AID of the SSSE application: "sx1.sh." followed by GBK 社会保障. */
export const SSSE_AID = Buffer.concat([Buffer.from('sx1.sh.', 'ascii'), iconv.encode('社会保障', 'gbk')]);

export const selectSsse = (): Buffer => Buffer.concat([Buffer.from([0x00, 0xa4, 0x04, 0x00, SSSE_AID.length]), SSSE_AID]);
export const selectEf = (fid: number): Buffer => Buffer.from([0x00, 0xa4, 0x02, 0x00, 0x02, fid >> 8, fid & 0xff]);
/** READ RECORD by SFI: P2 = (SFI << 3) | 4. EF05 → 0x2C, EF06 → 0x34. */
export const readRecord = (sfi: number, record: number, le: number): Buffer => Buffer.from([0x00, 0xb2, record, (sfi << 3) | 4, le]);
export const getResponse = (le: number): Buffer => Buffer.from([0x00, 0xc0, 0x00, 0x00, le]);
export const getChallenge = (): Buffer => Buffer.from([0x00, 0x84, 0x00, 0x00, 0x08]);

/** VERIFY with the PIN packed as BCD: 123456 → 00 20 00 00 03 12 34 56. */
export function verifyPin(pin: string): Buffer {
  if (!/^\d{6}$/.test(pin)) throw new RangeError('a social-security card PIN is 6 digits');
  return Buffer.concat([Buffer.from([0x00, 0x20, 0x00, 0x00, 0x03]), Buffer.from(pin, 'hex')]);
}

export interface ApduResponse {
  data: Buffer;
  sw: number;
}

export function splitResponse(raw: Buffer): ApduResponse {
  if (raw.length < 2) throw new SsCardError('SS_CARD_BAD_RESPONSE', `response of ${raw.length} bytes has no status word`);
  return { data: raw.subarray(0, raw.length - 2), sw: raw.readUInt16BE(raw.length - 2) };
}

export class SsCardError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly sw: number | null = null,
  ) {
    super(message);
    this.name = 'SsCardError';
  }
}

/** The status words a reader meets, with the error a person can act on. */
export function statusError(sw: number): SsCardError {
  const hex = sw.toString(16).toUpperCase().padStart(4, '0');
  if ((sw & 0xfff0) === 0x63c0) return new SsCardError('SS_CARD_PIN_WRONG', `wrong PIN, ${sw & 0x0f} tries left`, sw);
  switch (sw) {
    case 0x6983:
      return new SsCardError('SS_CARD_PIN_BLOCKED', 'the PIN is blocked', sw);
    case 0x6982:
      return new SsCardError('SS_CARD_SECURITY', 'security status not satisfied (PIN needed)', sw);
    case 0x6a82:
      return new SsCardError('SS_CARD_NOT_SSSE', 'file or application not found: not a social-security card?', sw);
    case 0x6a83:
      return new SsCardError('SS_CARD_RECORD_MISSING', 'record not found', sw);
    case 0x6700:
    case 0x6c00:
      return new SsCardError('SS_CARD_BAD_LENGTH', `wrong length (${hex})`, sw);
    case 0x6d00:
    case 0x6e00:
      return new SsCardError('SS_CARD_UNSUPPORTED', `instruction not supported (${hex})`, sw);
    default:
      return new SsCardError('SS_CARD_STATUS', `card answered ${hex}`, sw);
  }
}

/** A record comes back as tag(1) len(1) value. */
export function parseRecord(data: Buffer, expectedTag: number): Buffer {
  if (data.length < 2) throw new SsCardError('SS_CARD_BAD_RECORD', 'record shorter than its tag and length');
  const tag = data[0]!;
  const len = data[1]!;
  if (tag !== expectedTag) throw new SsCardError('SS_CARD_BAD_RECORD', `record tag ${tag} where ${expectedTag} was expected`);
  if (data.length < 2 + len) throw new SsCardError('SS_CARD_BAD_RECORD', `record says ${len} bytes, has ${data.length - 2}`);
  return data.subarray(2, 2 + len);
}

export function bcdDate(v: Buffer): string {
  const s = v.toString('hex');
  if (!/^\d{8}$/.test(s)) throw new SsCardError('SS_CARD_BAD_RECORD', `not a BCD date: ${s}`);
  return s;
}

export function trimmedText(v: Buffer, encoding: 'ascii' | 'gbk'): string {
  // Cards pad fixed-width fields with 0x00, 0xFF or spaces.
  let end = v.length;
  while (end > 0 && (v[end - 1] === 0x00 || v[end - 1] === 0xff || v[end - 1] === 0x20)) end--;
  return iconv.decode(v.subarray(0, end), encoding).trim();
}
