/**
 * How APDUs reach the card. `ApduTransport` is the interface the reader is written against; the
 * serial implementation frames APDUs for a serial contact reader as
 *
 *   STX(02) | LEN_H LEN_L | CMD | DATA… | LRC | ETX(03)
 *
 * where LEN counts CMD and DATA, LRC is the XOR of LEN_H through the last DATA byte, and CMD is
 * 0x30 power on (reply: ATR), 0x31 power off, 0x32 slot status (reply: 0x01 card present / 0x00
 * empty), 0x33 APDU (reply: response APDU with SW1 SW2). Replies carry a status byte before
 * DATA: 0x00 ok, 0x01 no card, 0x02 card mute, 0x03 bad frame.
 */
import { EventEmitter } from 'node:events';
import type { ByteTransport } from '../transport/types';
import { SsCardError } from './apdu';

export interface ApduTransport {
  /** Powers the card and returns its ATR. */
  connect(): Promise<Buffer>;
  transmit(apdu: Buffer): Promise<Buffer>;
  cardPresent(): Promise<boolean>;
  disconnect(): Promise<void>;
}

export const STX = 0x02;
export const ETX = 0x03;
export const SlotCommand = { powerOn: 0x30, powerOff: 0x31, status: 0x32, apdu: 0x33 } as const;
export const SlotStatus = { ok: 0x00, noCard: 0x01, mute: 0x02, badFrame: 0x03 } as const;

export function encodeSlotFrame(cmd: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  const len = 1 + data.length;
  const body = Buffer.concat([Buffer.from([len >> 8, len & 0xff, cmd]), data]);
  let lrc = 0;
  for (const b of body) lrc ^= b;
  return Buffer.concat([Buffer.from([STX]), body, Buffer.from([lrc, ETX])]);
}

/** Splits a byte stream into slot frames; bad bytes are skipped up to the next STX. */
export class SlotFrameDecoder {
  private buf = Buffer.alloc(0);
  push(chunk: Uint8Array): { frames: { cmd: number; data: Buffer }[]; errors: number } {
    this.buf = Buffer.concat([this.buf, chunk]);
    const frames: { cmd: number; data: Buffer }[] = [];
    let errors = 0;
    for (;;) {
      const start = this.buf.indexOf(STX);
      if (start < 0) {
        if (this.buf.length) errors++;
        this.buf = Buffer.alloc(0);
        break;
      }
      if (start > 0) {
        errors++;
        this.buf = this.buf.subarray(start);
      }
      if (this.buf.length < 3) break;
      const len = this.buf.readUInt16BE(1);
      if (len < 1 || len > 1024) {
        errors++;
        this.buf = this.buf.subarray(1);
        continue;
      }
      const total = 1 + 2 + len + 2;
      if (this.buf.length < total) break;
      const body = this.buf.subarray(1, 3 + len);
      let lrc = 0;
      for (const b of body) lrc ^= b;
      if (lrc !== this.buf[3 + len] || this.buf[4 + len] !== ETX) {
        errors++;
        this.buf = this.buf.subarray(1);
        continue;
      }
      frames.push({ cmd: body[2]!, data: Buffer.from(body.subarray(3)) });
      this.buf = this.buf.subarray(total);
    }
    return { frames, errors };
  }
  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}

export class SerialApduTransport extends EventEmitter implements ApduTransport {
  private readonly decoder = new SlotFrameDecoder();
  private waiting: { resolve: (f: { cmd: number; data: Buffer }) => void; timer: NodeJS.Timeout; reject: (e: Error) => void } | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly onData = (chunk: Buffer) => {
    for (const f of this.decoder.push(chunk).frames) {
      const w = this.waiting;
      if (!w) continue;
      this.waiting = null;
      clearTimeout(w.timer);
      w.resolve(f);
    }
  };

  constructor(
    private readonly bytes: ByteTransport,
    private readonly timeoutMs = 1500,
  ) {
    super();
    bytes.on('data', this.onData);
  }

  private exchange(cmd: number, data?: Uint8Array): Promise<Buffer> {
    const run = async () => {
      this.decoder.reset();
      const reply = new Promise<{ cmd: number; data: Buffer }>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiting = null;
          reject(new SsCardError('SS_READER_TIMEOUT', `no reply from the card reader within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
        this.waiting = { resolve, reject, timer };
      });
      // A write slower than the timeout rejects `reply` before it is awaited: observe it now.
      reply.catch(() => undefined);
      await this.bytes.write(encodeSlotFrame(cmd, data)).catch((err: Error) => {
        if (this.waiting) clearTimeout(this.waiting.timer);
        this.waiting = null;
        throw new SsCardError('SS_READER_IO', err.message);
      });
      const f = await reply;
      const status = f.data[0];
      if (f.cmd !== cmd) throw new SsCardError('SS_READER_PROTOCOL', `reply to ${f.cmd.toString(16)} while waiting for ${cmd.toString(16)}`);
      if (status === SlotStatus.noCard) throw new SsCardError('SS_CARD_ABSENT', 'no card in the reader');
      if (status === SlotStatus.mute) throw new SsCardError('SS_CARD_MUTE', 'the card does not answer (pulled out or inserted the wrong way?)');
      if (status !== SlotStatus.ok) throw new SsCardError('SS_READER_PROTOCOL', `reader status ${String(status)}`);
      return f.data.subarray(1);
    };
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  connect(): Promise<Buffer> {
    return this.exchange(SlotCommand.powerOn);
  }
  transmit(apdu: Buffer): Promise<Buffer> {
    return this.exchange(SlotCommand.apdu, apdu);
  }
  async cardPresent(): Promise<boolean> {
    const r = await this.exchange(SlotCommand.status).catch((e: SsCardError) => {
      if (e.code === 'SS_CARD_ABSENT') return Buffer.from([0]);
      throw e;
    });
    return r[0] === 0x01;
  }
  async disconnect(): Promise<void> {
    await this.exchange(SlotCommand.powerOff).catch(() => undefined);
  }
  close(): void {
    this.bytes.off('data', this.onData);
  }
}
