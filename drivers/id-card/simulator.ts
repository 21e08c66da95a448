/**
 * A GA 467 SAM module and card slot that speak the real frames over any ByteTransport (a socat
 * PTY in integration tests and simulate mode). Tests and the running app drive it: insert or
 * remove a card, pull the card during the next read, inject line noise, fail the SAM.
 */
import type { ByteTransport } from '../transport/types';
import { encodeResponse, FrameDecoder } from './frame';
import { SW3 } from './status';
import { FINGERPRINT_BYTES, PHOTO_BYTES } from './reader';
import { buildTextBlock, type IdCardText } from './text-block';

export interface SimulatedIdCard {
  text: IdCardText;
  photo?: Buffer;
  fingerprint?: Buffer | null;
}

export type PullMode = 'truncate' | 'status';

export class IdCardSimulator {
  private readonly decoder = new FrameDecoder();
  private card: SimulatedIdCard | null = null;
  private pullOnNextRead: PullMode | null = null;
  private samFault = false;
  /** Commands received, for assertions. */
  readonly received: { cmd: number; para: number }[] = [];
  private readonly onData = (chunk: Buffer) => void this.receive(chunk);

  constructor(private readonly transport: ByteTransport) {
    transport.on('data', this.onData);
  }

  insert(card: SimulatedIdCard): void {
    this.card = card;
  }

  remove(): void {
    this.card = null;
  }

  get hasCard(): boolean {
    return this.card !== null;
  }

  /** The next read loses the card part-way: `truncate` sends half a frame, `status` answers 0x41. */
  pullDuringNextRead(mode: PullMode = 'truncate'): void {
    this.pullOnNextRead = mode;
  }

  setSamFault(fault: boolean): void {
    this.samFault = fault;
  }

  async injectNoise(bytes: Uint8Array): Promise<void> {
    await this.transport.write(bytes);
  }

  private async receive(chunk: Buffer): Promise<void> {
    for (const ev of this.decoder.push(chunk)) {
      if (ev.type === 'error') {
        if (ev.code === 'ID_FRAME_CHECKSUM') await this.send(encodeResponse(SW3.CHECKSUM_ERROR));
        continue;
      }
      const [cmd = 0, para = 0] = ev.body;
      this.received.push({ cmd, para });
      await this.send(this.answer(cmd, para));
    }
  }

  private async send(frame: Buffer | null): Promise<void> {
    if (!frame || !this.transport.isOpen) return;
    await this.transport.write(frame).catch(() => undefined);
  }

  private answer(cmd: number, para: number): Buffer | null {
    if (this.samFault && !(cmd === 0x11 && para === 0xff)) return encodeResponse(SW3.SAM_SELF_TEST_FAILED);
    const key = (cmd << 8) | para;
    switch (key) {
      case 0x10ff:
        return encodeResponse(SW3.OK);
      case 0x11ff:
        return encodeResponse(this.samFault ? SW3.SAM_SELF_TEST_FAILED : SW3.OK);
      case 0x12ff:
        return encodeResponse(SW3.OK, Buffer.from('05.01-20260101-0000001234', 'ascii').subarray(0, 16));
      case 0x2001:
        return this.card ? encodeResponse(SW3.FIND_OK, Buffer.alloc(4)) : encodeResponse(SW3.FIND_FAILED);
      case 0x2002:
        return this.card ? encodeResponse(SW3.OK, Buffer.alloc(8)) : encodeResponse(SW3.SELECT_FAILED);
      case 0x3001:
      case 0x3010:
        return this.read(para === 0x10);
      case 0x61ff:
        return encodeResponse(SW3.OK);
      default:
        return encodeResponse(SW3.COMMAND_ERROR);
    }
  }

  private read(withFingerprint: boolean): Buffer | null {
    if (!this.card) return encodeResponse(SW3.READ_FAILED);
    const text = buildTextBlock(this.card.text);
    const photo = this.card.photo ?? Buffer.alloc(PHOTO_BYTES, 0x57);
    const fp = withFingerprint ? (this.card.fingerprint ?? null) : null;
    const lens = Buffer.alloc(withFingerprint ? 6 : 4);
    lens.writeUInt16BE(text.length, 0);
    lens.writeUInt16BE(photo.length, 2);
    if (withFingerprint) lens.writeUInt16BE(fp ? FINGERPRINT_BYTES : 0, 4);
    const frame = encodeResponse(SW3.OK, Buffer.concat([lens, text, photo, fp ?? Buffer.alloc(0)]));
    const pull = this.pullOnNextRead;
    if (pull) {
      this.pullOnNextRead = null;
      this.card = null;
      return pull === 'status' ? encodeResponse(SW3.READ_FAILED) : frame.subarray(0, Math.floor(frame.length / 2));
    }
    return frame;
  }

  close(): void {
    this.transport.off('data', this.onData);
  }
}
