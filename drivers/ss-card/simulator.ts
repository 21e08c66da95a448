/**
 * A social-security card and a serial contact reader, answering the same APDUs and slot frames
 * as the real ones. The card keeps a PIN retry counter and blocks at zero.
 */
import iconv from 'iconv-lite';
import type { ByteTransport } from '../transport/types';
import { SSSE_AID } from './apdu';
import { encodeSlotFrame, SlotCommand, SlotFrameDecoder, SlotStatus, type ApduTransport } from './transport';
import { SsCardError } from './apdu';

export interface SimulatedSsCardData {
  cardSn: string;
  cardNumber: string;
  specVersion: string;
  issueDate: string;
  expiryDate: string;
  idNumber: string;
  name: string;
  gender: string;
  pin: string;
}

const SW = (sw: number) => Buffer.from([sw >> 8, sw & 0xff]);
const pad = (b: Buffer, len: number, fill = 0x00) => Buffer.concat([b, Buffer.alloc(Math.max(0, len - b.length), fill)]).subarray(0, len);

export class SimulatedSsCard {
  private selected = false;
  private triesLeft = 3;
  readonly atr = Buffer.from('3B6D00000081313FE0000000000000000000', 'hex').subarray(0, 15);

  constructor(readonly data: SimulatedSsCardData) {}

  private records(sfi: number): Map<number, Buffer> {
    const d = this.data;
    if (sfi === 5)
      return new Map([
        [1, Buffer.from(d.cardSn, 'hex')],
        [2, Buffer.from([0x01])],
        [3, Buffer.from(d.specVersion, 'ascii')],
        [4, pad(Buffer.from(d.cardSn.slice(0, 12), 'ascii'), 12)],
        [5, Buffer.from(d.issueDate, 'hex')],
        [6, Buffer.from(d.expiryDate, 'hex')],
        [7, pad(Buffer.from(d.cardNumber, 'ascii'), 9)],
      ]);
    if (sfi === 6)
      return new Map([
        [1, pad(Buffer.from(d.idNumber, 'ascii'), 18)],
        [2, pad(iconv.encode(d.name, 'gbk'), 30)],
        [3, Buffer.from(d.gender, 'ascii')],
      ]);
    return new Map();
  }

  reset(): void {
    this.selected = false;
  }

  get pinTriesLeft(): number {
    return this.triesLeft;
  }

  process(apdu: Buffer): Buffer {
    if (apdu.length < 4) return SW(0x6700);
    const [cla, ins, p1, p2] = apdu;
    if (cla !== 0x00) return SW(0x6e00);
    switch (ins) {
      case 0xa4: {
        if (p1 === 0x04) {
          const aid = apdu.subarray(5, 5 + (apdu[4] ?? 0));
          if (!aid.equals(SSSE_AID)) return SW(0x6a82);
          this.selected = true;
          return SW(0x9000);
        }
        return this.selected ? SW(0x9000) : SW(0x6a82);
      }
      case 0xb2: {
        if (!this.selected) return SW(0x6982);
        const sfi = (p2 ?? 0) >> 3;
        const value = this.records(sfi).get(p1 ?? 0);
        if (!value) return SW(0x6a83);
        const le = apdu[4] ?? 0;
        const rec = Buffer.concat([Buffer.from([p1 ?? 0, value.length]), value]);
        if (le !== 0 && le !== rec.length) return SW(0x6c00 | rec.length);
        return Buffer.concat([rec, SW(0x9000)]);
      }
      case 0x20: {
        if (this.triesLeft === 0) return SW(0x6983);
        const pin = apdu.subarray(5, 5 + (apdu[4] ?? 0)).toString('hex');
        if (pin === this.data.pin) {
          this.triesLeft = 3;
          return SW(0x9000);
        }
        this.triesLeft--;
        return this.triesLeft === 0 ? SW(0x6983) : SW(0x63c0 | this.triesLeft);
      }
      case 0x84:
        return Buffer.concat([Buffer.alloc(8, 0x5a), SW(0x9000)]);
      default:
        return SW(0x6d00);
    }
  }
}

/** An in-process slot holding a simulated card: the simplest ApduTransport, for unit tests. */
export class SimulatedCardSlot implements ApduTransport {
  card: SimulatedSsCard | null = null;
  async connect(): Promise<Buffer> {
    if (!this.card) throw new SsCardError('SS_CARD_ABSENT', 'no card in the reader');
    this.card.reset();
    return this.card.atr;
  }
  async transmit(apdu: Buffer): Promise<Buffer> {
    if (!this.card) throw new SsCardError('SS_CARD_ABSENT', 'no card in the reader');
    return this.card.process(apdu);
  }
  async cardPresent(): Promise<boolean> {
    return this.card !== null;
  }
  async disconnect(): Promise<void> {}
}

/** The serial reader: speaks slot frames over a ByteTransport (a PTY end in simulate mode). */
export class SsCardReaderSimulator {
  readonly slot = new SimulatedCardSlot();
  private readonly decoder = new SlotFrameDecoder();
  /** When set, the next APDU gets no card answer: the card was pulled. */
  private muteNext = false;
  private readonly onData = (chunk: Buffer) => void this.receive(chunk);

  constructor(private readonly bytes: ByteTransport) {
    bytes.on('data', this.onData);
  }

  insert(card: SimulatedSsCard): void {
    this.slot.card = card;
  }
  remove(): void {
    this.slot.card = null;
  }
  pullDuringNextApdu(): void {
    this.muteNext = true;
  }

  private async receive(chunk: Buffer): Promise<void> {
    for (const f of this.decoder.push(chunk).frames) {
      const reply = (status: number, data: Buffer = Buffer.alloc(0)) => encodeSlotFrame(f.cmd, Buffer.concat([Buffer.from([status]), data]));
      let out: Buffer;
      const card = this.slot.card;
      switch (f.cmd) {
        case SlotCommand.status:
          out = reply(SlotStatus.ok, Buffer.from([card ? 1 : 0]));
          break;
        case SlotCommand.powerOn:
          out = card ? (card.reset(), reply(SlotStatus.ok, card.atr)) : reply(SlotStatus.noCard);
          break;
        case SlotCommand.powerOff:
          out = reply(SlotStatus.ok);
          break;
        case SlotCommand.apdu:
          if (!card) out = reply(SlotStatus.noCard);
          else if (this.muteNext) {
            this.muteNext = false;
            this.slot.card = null;
            out = reply(SlotStatus.mute);
          } else out = reply(SlotStatus.ok, card.process(f.data));
          break;
        default:
          out = reply(SlotStatus.badFrame);
      }
      if (this.bytes.isOpen) await this.bytes.write(out).catch(() => undefined);
    }
  }

  close(): void {
    this.bytes.off('data', this.onData);
  }
}
