/**
 * The resident ID-card reader's state machine. It polls for a card, selects and reads it, and
 * emits one `card` per insertion. A card pulled mid-read (a failed read status or a reply that
 * never completes) yields `read-error` with ID_CARD_READ_FAILED and no partial identity.
 */
import { EventEmitter } from 'node:events';
import type { ByteTransport } from '../transport/types';
import { Commands, encodeCommand, FrameDecoder } from './frame';
import { describeStatus, SW3 } from './status';
import { parseTextBlock, TEXT_BLOCK_BYTES, type IdCardText } from './text-block';

export const PHOTO_BYTES = 1024;
export const FINGERPRINT_BYTES = 1024;

export interface IdCardRead {
  text: IdCardText;
  /** The WLT-compressed photo, kept opaque: decoding needs a licensed vendor library. */
  photo: Buffer;
  fingerprint: Buffer | null;
}

export class IdCardError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly sw3: number | null = null,
  ) {
    super(message);
    this.name = 'IdCardError';
  }
}

export interface IdCardReaderEvents {
  card: [IdCardRead];
  'read-error': [IdCardError];
  removed: [];
  /** Whether the module answers at all; drives the device state. */
  health: [{ ok: boolean; error: IdCardError | null }];
  'frame-error': [{ code: string; detail: string }];
}

export interface IdCardReaderOptions {
  pollMs?: number;
  /** Per-command reply timeout; a full read is ~1.3 KB, 115 ms at 115200 baud. */
  timeoutMs?: number;
  readFingerprint?: boolean;
}

type Pending = { resolve: (body: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export class IdCardReader extends EventEmitter<IdCardReaderEvents> {
  private readonly decoder = new FrameDecoder();
  private pending: Pending | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private pollTimer: NodeJS.Timeout | null = null;
  private cardRead = false;
  private healthy: boolean | null = null;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  constructor(
    private readonly transport: ByteTransport,
    private readonly opts: IdCardReaderOptions = {},
  ) {
    super();
    this.pollMs = opts.pollMs ?? 300;
    this.timeoutMs = opts.timeoutMs ?? 1500;
    transport.on('data', this.onData);
  }

  private receive(chunk: Buffer): void {
    for (const ev of this.decoder.push(chunk)) {
      if (ev.type === 'error') {
        this.emit('frame-error', { code: ev.code, detail: ev.detail });
        continue;
      }
      const p = this.pending;
      if (!p) continue; // an unsolicited frame: nothing is waiting for it
      this.pending = null;
      clearTimeout(p.timer);
      p.resolve(ev.body);
    }
  }

  /** Sends one command and waits for its reply; commands never overlap. */
  command(cmd: number, para: number, data?: Uint8Array): Promise<{ sw3: number; data: Buffer }> {
    const run = async () => {
      this.decoder.reset();
      const reply = new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending = null;
          reject(new IdCardError('ID_READER_TIMEOUT', `no complete reply to ${cmd.toString(16)} ${para.toString(16)} within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
        this.pending = { resolve, reject, timer };
      });
      // A write slower than the timeout rejects `reply` before it is awaited: observe it now.
      reply.catch(() => undefined);
      try {
        await this.transport.write(encodeCommand(cmd, para, data));
      } catch (err) {
        if (this.pending) {
          clearTimeout(this.pending.timer);
          this.pending = null;
        }
        throw new IdCardError('ID_READER_IO', (err as Error).message);
      }
      const body = await reply;
      if (body.length < 3) throw new IdCardError('ID_FRAME_LENGTH', 'reply shorter than its status words');
      return { sw3: body[2]!, data: body.subarray(3) };
    };
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  async samStatus(): Promise<void> {
    const r = await this.command(...Commands.samStatus);
    if (r.sw3 !== SW3.OK) throw statusError(r.sw3);
  }

  /** Whether a card is on the reader now. */
  async findCard(): Promise<boolean> {
    const r = await this.command(...Commands.findCard);
    if (r.sw3 === SW3.FIND_OK) return true;
    if (r.sw3 === SW3.FIND_FAILED) return false;
    throw statusError(r.sw3);
  }

  /** Select and read the card that is present. Throws; never returns a partial identity. */
  async readCard(): Promise<IdCardRead> {
    const sel = await this.command(...Commands.selectCard);
    if (sel.sw3 !== SW3.OK) throw statusError(sel.sw3);
    const withFp = this.opts.readFingerprint === true;
    let r: { sw3: number; data: Buffer };
    try {
      const [cmd, para] = withFp ? Commands.readTextAndFingerprint : Commands.readText;
      r = await this.command(cmd, para);
    } catch (err) {
      if (err instanceof IdCardError && err.code === 'ID_READER_TIMEOUT') {
        throw new IdCardError('ID_CARD_READ_FAILED', 'the card stopped answering mid-read (pulled out?)');
      }
      throw err;
    }
    if (r.sw3 !== SW3.OK) throw statusError(r.sw3);
    return parseReadPayload(r.data, withFp);
  }

  start(): void {
    if (this.pollTimer) return;
    const tick = async () => {
      try {
        await this.pollOnce();
      } catch (err) {
        // A listener of 'card' that throws must not stop the polling nor escape as a rejection.
        this.setHealth(false, new IdCardError('ID_READER_IO', (err as Error).message));
      } finally {
        if (this.pollTimer) this.pollTimer = setTimeout(() => void tick(), this.pollMs);
      }
    };
    this.pollTimer = setTimeout(() => void tick(), 0);
  }

  stop(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  /** One poll step; public so tests can step the machine without timers. */
  /** True from a card's successful read until the poll sees it gone. */
  get holdsCard(): boolean {
    return this.cardRead;
  }

  async pollOnce(): Promise<void> {
    let present: boolean;
    try {
      present = await this.findCard();
      this.setHealth(true, null);
    } catch (err) {
      this.setHealth(false, err instanceof IdCardError ? err : new IdCardError('ID_READER_IO', String(err)));
      return;
    }
    if (!present) {
      if (this.cardRead) {
        this.cardRead = false;
        this.emit('removed');
      }
      return;
    }
    if (this.cardRead) return;
    try {
      const card = await this.readCard();
      this.cardRead = true;
      this.emit('card', card);
    } catch (err) {
      const e = err instanceof IdCardError ? err : new IdCardError('ID_CARD_READ_FAILED', String(err));
      this.emit('read-error', e.code.startsWith('ID_CARD_') ? e : new IdCardError('ID_CARD_READ_FAILED', e.message, e.sw3));
    }
  }

  private setHealth(ok: boolean, error: IdCardError | null): void {
    if (this.healthy === ok) return;
    this.healthy = ok;
    this.emit('health', { ok, error });
  }

  async close(): Promise<void> {
    this.stop();
    this.transport.off('data', this.onData);
    await this.chain.catch(() => undefined);
  }
}

function statusError(sw3: number): IdCardError {
  const s = describeStatus(sw3);
  return new IdCardError(s.code ?? 'ID_SAM_UNEXPECTED_STATUS', `${s.zh} / ${s.en}`, sw3);
}

/** Splits the data of a 30 01 / 30 10 reply: lengths (big-endian), text, photo, fingerprint. */
export function parseReadPayload(data: Buffer, withFingerprint: boolean): IdCardRead {
  const head = withFingerprint ? 6 : 4;
  if (data.length < head) throw new IdCardError('ID_CARD_LENGTH_ERROR', 'read reply too short for its length fields');
  const textLen = data.readUInt16BE(0);
  const photoLen = data.readUInt16BE(2);
  const fpLen = withFingerprint ? data.readUInt16BE(4) : 0;
  if (textLen !== TEXT_BLOCK_BYTES || photoLen !== PHOTO_BYTES || (fpLen !== 0 && fpLen !== FINGERPRINT_BYTES)) {
    throw new IdCardError('ID_CARD_LENGTH_ERROR', `unexpected lengths text=${textLen} photo=${photoLen} fingerprint=${fpLen}`);
  }
  if (data.length !== head + textLen + photoLen + fpLen) {
    throw new IdCardError('ID_CARD_LENGTH_ERROR', `read reply is ${data.length} bytes, lengths say ${head + textLen + photoLen + fpLen}`);
  }
  let text: IdCardText;
  try {
    text = parseTextBlock(data.subarray(head, head + textLen));
  } catch (err) {
    throw new IdCardError('ID_CARD_TEXT_INVALID', (err as Error).message);
  }
  const photo = Buffer.from(data.subarray(head + textLen, head + textLen + photoLen));
  const fingerprint = fpLen ? Buffer.from(data.subarray(head + textLen + photoLen)) : null;
  return { text, photo, fingerprint };
}
