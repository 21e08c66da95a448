/**
 * The 256-byte text block of a resident ID card and its relatives, UCS-2 little-endian and
 * space-padded. The type flag at offset 248 tells the layouts apart: blank for the resident ID
 * card, `J` for the 港澳台居民居住证, `I` for the 2017 foreigner's permanent-residence card and `Y`
 * for its 2023 version (platform-and-devices.md §3.4).
 */
export const TEXT_BLOCK_BYTES = 256;

export type CardKind = 'resident' | 'hmt-residence' | 'foreign-permanent-2017' | 'foreign-permanent-2023';

export interface IdCardText {
  kind: CardKind;
  /** Chinese name (English name for a 2017 foreigner's card without one). */
  name: string;
  englishName: string | null;
  /** 1 男, 2 女, 0 未知, 9 未说明 */
  gender: string;
  /** GB 3304 two-digit code; null on foreigners' cards. */
  nation: string | null;
  /** YYYYMMDD */
  birthDate: string;
  address: string | null;
  /** 公民身份号码, or the card number of the residence/permanent-residence card. */
  idNumber: string;
  issuer: string | null;
  validFrom: string;
  /** YYYYMMDD or 长期 */
  validTo: string;
  /** 港澳台 pass number (J), nationality code (I/Y), renewal count, … */
  passNumber: string | null;
  issueCount: string | null;
  nationality: string | null;
}

export class IdCardTextError extends Error {
  readonly code = 'ID_CARD_TEXT_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'IdCardTextError';
  }
}

function field(block: Buffer, offset: number, length: number): string {
  // Cards pad with UCS-2 spaces; some readers hand over NULs instead.
  return block
    .subarray(offset, offset + length)
    .toString('utf16le')
    .split(String.fromCharCode(0))
    .join(' ')
    .trim();
}

function kindOf(flag: string): CardKind {
  switch (flag) {
    case '':
      return 'resident';
    case 'J':
      return 'hmt-residence';
    case 'I':
      return 'foreign-permanent-2017';
    case 'Y':
      return 'foreign-permanent-2023';
    default:
      throw new IdCardTextError(`unknown card type flag ${JSON.stringify(flag)}`);
  }
}

export function parseTextBlock(block: Buffer): IdCardText {
  if (block.length !== TEXT_BLOCK_BYTES) throw new IdCardTextError(`text block is ${block.length} bytes, expected ${TEXT_BLOCK_BYTES}`);
  const kind = kindOf(field(block, 248, 2));
  let text: IdCardText;
  if (kind === 'resident' || kind === 'hmt-residence') {
    text = {
      kind,
      name: field(block, 0, 30),
      englishName: null,
      gender: field(block, 30, 2),
      nation: kind === 'resident' ? field(block, 32, 4) : null,
      birthDate: field(block, 36, 16),
      address: field(block, 52, 70),
      idNumber: field(block, 122, 36),
      issuer: field(block, 158, 30),
      validFrom: field(block, 188, 16),
      validTo: field(block, 204, 16),
      passNumber: kind === 'hmt-residence' ? field(block, 220, 18) : null,
      issueCount: kind === 'hmt-residence' ? field(block, 238, 4) : null,
      nationality: null,
    };
  } else if (kind === 'foreign-permanent-2017') {
    const englishName = field(block, 0, 120);
    const chinese = field(block, 158, 30);
    text = {
      kind,
      name: chinese || englishName,
      englishName,
      gender: field(block, 120, 2),
      nation: null,
      birthDate: field(block, 220, 16),
      address: null,
      idNumber: field(block, 122, 30),
      issuer: field(block, 240, 8),
      validFrom: field(block, 188, 16),
      validTo: field(block, 204, 16),
      passNumber: null,
      issueCount: field(block, 236, 4),
      nationality: field(block, 152, 6),
    };
  } else {
    text = {
      kind,
      name: field(block, 0, 30),
      englishName: (field(block, 52, 70) + field(block, 220, 22)).trim(),
      gender: field(block, 30, 2),
      nation: null,
      birthDate: field(block, 36, 16),
      address: null,
      idNumber: field(block, 122, 36),
      issuer: null,
      validFrom: field(block, 188, 16),
      validTo: field(block, 204, 16),
      passNumber: null,
      issueCount: field(block, 32, 4),
      nationality: field(block, 242, 6),
    };
  }
  validate(text);
  return text;
}

function validate(t: IdCardText): void {
  if (!t.name) throw new IdCardTextError('name is empty');
  if (!/^[0-9A-Z]{15,18}$/.test(t.idNumber)) throw new IdCardTextError('card number has an unexpected form');
  if (!/^\d{8}$/.test(t.birthDate)) throw new IdCardTextError('birth date is not YYYYMMDD');
  if (!/^[0129]$/.test(t.gender)) throw new IdCardTextError('gender code is not 0, 1, 2 or 9');
}

/** Lays out a text block (the simulator's card contents, and test fixtures). */
export function buildTextBlock(t: Omit<IdCardText, 'kind'> & { kind: CardKind }): Buffer {
  const block = Buffer.alloc(TEXT_BLOCK_BYTES, 0);
  // Fill with UCS-2 spaces, as the card does.
  for (let i = 0; i < TEXT_BLOCK_BYTES; i += 2) block.writeUInt16LE(0x20, i);
  const put = (offset: number, length: number, value: string | null) => {
    if (!value) return;
    const bytes = Buffer.from(value, 'utf16le');
    if (bytes.length > length) throw new RangeError(`value too long for ${length} bytes: ${value}`);
    bytes.copy(block, offset);
  };
  switch (t.kind) {
    case 'resident':
    case 'hmt-residence':
      put(0, 30, t.name);
      put(30, 2, t.gender);
      put(32, 4, t.nation);
      put(36, 16, t.birthDate);
      put(52, 70, t.address);
      put(122, 36, t.idNumber);
      put(158, 30, t.issuer);
      put(188, 16, t.validFrom);
      put(204, 16, t.validTo);
      if (t.kind === 'hmt-residence') {
        put(220, 18, t.passNumber);
        put(238, 4, t.issueCount);
        put(248, 2, 'J');
      }
      break;
    case 'foreign-permanent-2017':
      put(0, 120, t.englishName);
      put(120, 2, t.gender);
      put(122, 30, t.idNumber);
      put(152, 6, t.nationality);
      put(158, 30, t.name === t.englishName ? '' : t.name);
      put(188, 16, t.validFrom);
      put(204, 16, t.validTo);
      put(220, 16, t.birthDate);
      put(236, 4, t.issueCount);
      put(240, 8, t.issuer);
      put(248, 2, 'I');
      break;
    case 'foreign-permanent-2023': {
      const en = t.englishName ?? '';
      put(0, 30, t.name);
      put(30, 2, t.gender);
      put(32, 4, t.issueCount);
      put(36, 16, t.birthDate);
      put(52, 70, en.slice(0, 35));
      put(122, 36, t.idNumber);
      put(188, 16, t.validFrom);
      put(204, 16, t.validTo);
      put(220, 22, en.slice(35, 46));
      put(242, 6, t.nationality);
      put(248, 2, 'Y');
      break;
    }
  }
  return block;
}
