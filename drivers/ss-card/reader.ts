/**
 * Reads a social-security card: select the SSSE application, read EF05 (card) and EF06
 * (holder) records, verify the PIN when a service needs it.
 */
import {
  bcdDate,
  getResponse,
  parseRecord,
  readRecord,
  selectSsse,
  splitResponse,
  statusError,
  trimmedText,
  verifyPin,
  SsCardError,
  type ApduResponse,
} from './apdu';
import type { ApduTransport } from './transport';

export interface SocialSecurityCard {
  /** 卡识别码, 32 hex characters: the platform's `card_sn`. */
  cardSn: string;
  /** 社会保障卡卡号: the platform's `mdtrt_cert_no` for certificate type 03. */
  cardNumber: string;
  /** 发卡地区行政区划代码, the first six characters of the card identifier. */
  issuingRegion: string;
  specVersion: string;
  issueDate: string;
  expiryDate: string;
  /** 社会保障号码 (= resident ID number). */
  idNumber: string;
  name: string;
  gender: string | null;
}

const EF05 = 5;
const EF06 = 6;

export class SocialSecurityCardReader {
  constructor(private readonly apdu: ApduTransport) {}

  /** Sends an APDU, following 61xx with GET RESPONSE, and fails on anything but 9000. */
  async exchange(command: Buffer): Promise<Buffer> {
    let r: ApduResponse = splitResponse(await this.apdu.transmit(command));
    let guard = 0;
    while (r.sw >> 8 === 0x61 && guard++ < 8) {
      const more = splitResponse(await this.apdu.transmit(getResponse(r.sw & 0xff)));
      r = { data: Buffer.concat([r.data, more.data]), sw: more.sw };
    }
    if (r.sw !== 0x9000) throw statusError(r.sw);
    return r.data;
  }

  private async record(sfi: number, rec: number, valueLen: number): Promise<Buffer> {
    return parseRecord(await this.exchange(readRecord(sfi, rec, valueLen + 2)), rec);
  }

  async read(): Promise<SocialSecurityCard> {
    await this.apdu.connect();
    await this.exchange(selectSsse());
    const cardSnRaw = await this.record(EF05, 1, 16);
    const specVersion = trimmedText(await this.record(EF05, 3, 4), 'ascii');
    const issueDate = bcdDate(await this.record(EF05, 5, 4));
    const expiryDate = bcdDate(await this.record(EF05, 6, 4));
    const cardNumber = trimmedText(await this.record(EF05, 7, 9), 'ascii');
    const idNumber = trimmedText(await this.record(EF06, 1, 18), 'ascii');
    const name = trimmedText(await this.record(EF06, 2, 30), 'gbk');
    // Sex is record 03 on most cards and 04 on some 2.0 cards; it is optional for identity.
    const gender = await this.record(EF06, 3, 1)
      .then((v) => trimmedText(v, 'ascii') || null)
      .catch(() => null);
    const cardSn = cardSnRaw.toString('hex').toUpperCase();
    if (!/^[0-9A-F]{32}$/.test(cardSn)) throw new SsCardError('SS_CARD_BAD_RECORD', 'card identifier is not 16 bytes');
    if (!/^[0-9A-Z]{6,20}$/.test(cardNumber)) throw new SsCardError('SS_CARD_BAD_RECORD', 'card number has an unexpected form');
    if (!/^\d{17}[\dX]$/.test(idNumber)) throw new SsCardError('SS_CARD_BAD_RECORD', 'social security number has an unexpected form');
    if (!name) throw new SsCardError('SS_CARD_BAD_RECORD', 'holder name is empty');
    return { cardSn, cardNumber, issuingRegion: cardSn.slice(0, 6), specVersion, issueDate, expiryDate, idNumber, name, gender };
  }

  /** Verifies the holder's PIN. Wrong PIN → SS_CARD_PIN_WRONG with tries left; SS_CARD_PIN_BLOCKED after the last. */
  async verifyPin(pin: string): Promise<void> {
    await this.exchange(verifyPin(pin));
  }
}
