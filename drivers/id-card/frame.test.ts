import { describe, expect, it } from 'vitest';
import { Commands, encodeCommand, encodeResponse, FrameDecoder, MAX_LEN, type FrameEvent } from './frame';
import { describeStatus, STATUS_TEXT, SW3 } from './status';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('GA 467 frames against the reference bytes', () => {
  it('encodes every command exactly', () => {
    expect(encodeCommand(...Commands.findCard)).toEqual(hex('AA AA AA 96 69 00 03 20 01 22'));
    expect(encodeCommand(...Commands.selectCard)).toEqual(hex('AA AA AA 96 69 00 03 20 02 21'));
    expect(encodeCommand(...Commands.readText)).toEqual(hex('AA AA AA 96 69 00 03 30 01 32'));
    expect(encodeCommand(...Commands.readTextAndFingerprint)).toEqual(hex('AA AA AA 96 69 00 03 30 10 23'));
    expect(encodeCommand(...Commands.samStatus)).toEqual(hex('AA AA AA 96 69 00 03 11 FF ED'));
    expect(encodeCommand(...Commands.samId)).toEqual(hex('AA AA AA 96 69 00 03 12 FF EE'));
    expect(encodeCommand(...Commands.resetSam)).toEqual(hex('AA AA AA 96 69 00 03 10 FF EC'));
    expect(encodeCommand(0x61, 0xff, Buffer.from([0x50]))).toEqual(hex('AA AA AA 96 69 00 04 61 FF 50 CA'));
  });

  it('encodes the typical responses exactly', () => {
    expect(encodeResponse(SW3.FIND_OK, Buffer.alloc(4))).toEqual(hex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97'));
    expect(encodeResponse(SW3.FIND_FAILED)).toEqual(hex('AA AA AA 96 69 00 04 00 00 80 84'));
    expect(encodeResponse(SW3.OK, Buffer.alloc(8))).toEqual(hex('AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C'));
    expect(encodeResponse(SW3.SELECT_FAILED)).toEqual(hex('AA AA AA 96 69 00 04 00 00 81 85'));
  });

  it('lays out a full read (30 01) as 1295 bytes with header 05 08 ... 01 00 04 00', () => {
    const data = Buffer.concat([hex('01 00 04 00'), Buffer.alloc(256), Buffer.alloc(1024)]);
    const frame = encodeResponse(SW3.OK, data);
    expect(frame.length).toBe(1295);
    expect(frame.subarray(0, 14)).toEqual(hex('AA AA AA 96 69 05 08 00 00 90 01 00 04 00'));
    const withFp = encodeResponse(SW3.OK, Buffer.concat([hex('01 00 04 00 04 00'), Buffer.alloc(256 + 1024 + 1024)]));
    expect(withFp.length).toBe(2321);
    expect(withFp.subarray(5, 7)).toEqual(hex('09 0A'));
  });

  it('names every status word', () => {
    const all = [0x90, 0x91, 0x9f, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x37, 0x3f, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81];
    expect(
      Object.keys(STATUS_TEXT)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([...all].sort((a, b) => a - b));
    for (const sw of all) {
      const s = describeStatus(sw);
      expect(s.zh.length).toBeGreaterThan(1);
      expect(s.en.length).toBeGreaterThan(1);
      expect(s.code === null).toBe([0x90, 0x91, 0x9f].includes(sw));
    }
    expect(describeStatus(0x41).code).toBe('ID_CARD_READ_FAILED');
    expect(describeStatus(0x80).code).toBe('ID_CARD_NOT_FOUND');
    expect(describeStatus(0x5a)).toMatchObject({ code: 'ID_SAM_UNKNOWN_STATUS' });
  });
});

describe('FrameDecoder', () => {
  const frames = (events: FrameEvent[]) => events.filter((e) => e.type === 'frame').map((e) => (e as { body: Buffer }).body.toString('hex'));

  it('reassembles a frame split into single bytes', () => {
    const d = new FrameDecoder();
    const f = encodeResponse(SW3.FIND_OK, Buffer.alloc(4));
    const out: FrameEvent[] = [];
    for (const b of f) out.push(...d.push(Buffer.from([b])));
    expect(frames(out)).toEqual(['00009f00000000']);
    expect(d.pending).toBe(0);
  });

  it('skips garbage, drops a bad-checksum frame and keeps the good frame behind it', () => {
    const d = new FrameDecoder();
    const good = encodeResponse(SW3.OK, Buffer.alloc(8));
    const bad = Buffer.from(encodeResponse(SW3.FIND_FAILED));
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    const out = d.push(Buffer.concat([hex('01 02 03 AA'), bad, good]));
    const codes = out.filter((e) => e.type === 'error').map((e) => (e as { code: string }).code);
    expect(codes[0]).toBe('ID_FRAME_GARBAGE');
    expect(codes).toContain('ID_FRAME_CHECKSUM');
    expect(frames(out)).toEqual(['000090' + '00'.repeat(8)]);
  });

  it('rejects an impossible length and resynchronises', () => {
    const d = new FrameDecoder();
    const out = d.push(Buffer.concat([hex('AA AA AA 96 69 FF FF 00'), encodeResponse(SW3.FIND_FAILED)]));
    expect(out.some((e) => e.type === 'error' && e.code === 'ID_FRAME_LENGTH')).toBe(true);
    expect(frames(out)).toEqual(['000080']);
  });

  it('holds a truncated frame without emitting anything partial', () => {
    const d = new FrameDecoder();
    const f = encodeResponse(SW3.OK, Buffer.alloc(600));
    expect(d.push(f.subarray(0, 300))).toEqual([]);
    expect(d.pending).toBe(300);
    expect(frames(d.push(f.subarray(300)))).toHaveLength(1);
  });

  it('survives 10,000 random and mutated frames: no exception, no hang, bounded buffer', () => {
    let seed = 0x1234567;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
    const d = new FrameDecoder();
    const valid = [encodeResponse(SW3.FIND_OK, Buffer.alloc(4)), encodeResponse(SW3.OK, Buffer.alloc(8)), encodeCommand(0x30, 0x01)];
    let good = 0;
    const started = Date.now();
    for (let i = 0; i < 10_000; i++) {
      let buf: Buffer;
      const kind = i % 4;
      if (kind === 0) buf = Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
      else {
        buf = Buffer.from(valid[i % valid.length]!);
        if (kind === 1) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
        if (kind === 2) buf = buf.subarray(0, Math.floor(rnd() * buf.length));
      }
      for (const e of d.push(buf)) if (e.type === 'frame') good++;
      expect(d.pending).toBeLessThanOrEqual(MAX_LEN + 7);
    }
    expect(good).toBeGreaterThan(1000);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
