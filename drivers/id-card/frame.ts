/**
 * GA 467 SAM_A serial frames (resident ID-card readers).
 *
 *   command  (host → SAM):  AA AA AA 96 69 | Len1 Len2 | CMD PARA [DATA…] | CHK
 *   response (SAM → host):  AA AA AA 96 69 | Len1 Len2 | SW1 SW2 SW3 [DATA…] | CHK
 *
 * Len is big-endian and counts every byte after it up to and including CHK; CHK is the XOR of
 * Len1 through the last data byte.
 */
export const PREAMBLE = Buffer.from([0xaa, 0xaa, 0xaa, 0x96, 0x69]);
/** Longest legal frame body: read with fingerprint is 0x090A (2314) bytes; leave headroom. */
export const MAX_LEN = 0x0a00;

export function checksum(bytes: Uint8Array): number {
  let x = 0;
  for (const b of bytes) x ^= b;
  return x;
}

/** Builds a frame around `body` (CMD PARA DATA for commands, SW1 SW2 SW3 DATA for responses). */
export function encodeFrame(body: Uint8Array): Buffer {
  const len = body.length + 1;
  if (len > MAX_LEN) throw new RangeError(`frame body too long: ${body.length}`);
  const lenBytes = Buffer.from([len >> 8, len & 0xff]);
  const withLen = Buffer.concat([lenBytes, body]);
  return Buffer.concat([PREAMBLE, withLen, Buffer.from([checksum(withLen)])]);
}

export function encodeCommand(cmd: number, para: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  return encodeFrame(Buffer.concat([Buffer.from([cmd, para]), data]));
}

export function encodeResponse(sw3: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  return encodeFrame(Buffer.concat([Buffer.from([0x00, 0x00, sw3]), data]));
}

export const Commands = {
  resetSam: [0x10, 0xff],
  samStatus: [0x11, 0xff],
  samId: [0x12, 0xff],
  findCard: [0x20, 0x01],
  selectCard: [0x20, 0x02],
  readText: [0x30, 0x01],
  readTextAndFingerprint: [0x30, 0x10],
} as const;

export type FrameEvent =
  { type: 'frame'; body: Buffer } | { type: 'error'; code: 'ID_FRAME_CHECKSUM' | 'ID_FRAME_LENGTH' | 'ID_FRAME_GARBAGE'; detail: string };

/**
 * Turns a byte stream into frames. Garbage before a preamble is skipped and reported once per
 * run; a bad checksum or impossible length drops that frame and resynchronises on the next
 * preamble, so one corrupted frame never swallows the good ones behind it.
 */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): FrameEvent[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const out: FrameEvent[] = [];
    for (;;) {
      const start = this.buf.indexOf(PREAMBLE);
      if (start < 0) {
        // Keep a tail that could be the start of a preamble split across chunks.
        const keep = Math.min(this.buf.length, PREAMBLE.length - 1);
        const dropped = this.buf.length - keep;
        if (dropped > 0) out.push({ type: 'error', code: 'ID_FRAME_GARBAGE', detail: `${dropped} bytes without a preamble` });
        this.buf = this.buf.subarray(this.buf.length - keep);
        let k = this.buf.length;
        while (k > 0 && !PREAMBLE.subarray(0, k).equals(this.buf.subarray(this.buf.length - k))) k--;
        this.buf = Buffer.from(this.buf.subarray(this.buf.length - k));
        return out;
      }
      if (start > 0) {
        out.push({ type: 'error', code: 'ID_FRAME_GARBAGE', detail: `${start} bytes before a preamble` });
        this.buf = this.buf.subarray(start);
      }
      if (this.buf.length < PREAMBLE.length + 2) return out;
      const len = this.buf.readUInt16BE(PREAMBLE.length);
      if (len < 2 || len > MAX_LEN) {
        out.push({ type: 'error', code: 'ID_FRAME_LENGTH', detail: `impossible length ${len}` });
        this.buf = this.buf.subarray(1);
        continue;
      }
      const total = PREAMBLE.length + 2 + len;
      if (this.buf.length < total) return out;
      const withLen = this.buf.subarray(PREAMBLE.length, total - 1);
      const chk = this.buf[total - 1]!;
      if (checksum(withLen) !== chk) {
        out.push({ type: 'error', code: 'ID_FRAME_CHECKSUM', detail: `checksum ${chk.toString(16)} != ${checksum(withLen).toString(16)}` });
        this.buf = this.buf.subarray(1);
        continue;
      }
      out.push({ type: 'frame', body: Buffer.from(withLen.subarray(2)) });
      this.buf = this.buf.subarray(total);
    }
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}
