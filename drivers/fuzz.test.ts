/**
 * Every parser meets 10,000 random and mutated inputs: no exception escapes except the parser's
 * own typed error, nothing hangs, nothing grows without bound.
 */
import { describe, expect, it } from 'vitest';
import { KeyboardWedgeDecoder, wedgeReports } from './scanner/keyboard-wedge';
import { SerialLineDecoder } from './scanner/serial-line';
import { parseTextBlock, buildTextBlock, IdCardTextError } from './id-card/text-block';
import { parseReadPayload, IdCardError } from './id-card/reader';
import { parseRecord, splitResponse, SsCardError } from './ss-card/apdu';
import { conditionOf } from './printer/status';
import { wangJianguo } from '../fixtures/people/id-cards';

function rng(seed: number) {
  return () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 0x100000000;
}
function mutate(rnd: () => number, base: Buffer): Buffer {
  const b = Buffer.from(base);
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
  return rnd() < 0.2 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
}
function randomBytes(rnd: () => number, max: number): Buffer {
  return Buffer.from(Array.from({ length: Math.floor(rnd() * max) }, () => Math.floor(rnd() * 256)));
}
const N = 10_000;

describe('parser fuzzing (10,000 inputs each)', () => {
  it('keyboard-wedge decoder', () => {
    const rnd = rng(11);
    const d = new KeyboardWedgeDecoder();
    const good = wedgeReports('ABC123');
    let scans = 0;
    for (let i = 0; i < N; i++) {
      const r = i % 2 ? mutate(rnd, good[i % good.length]!) : randomBytes(rnd, 12);
      if (d.push(r)) scans++;
    }
    expect(scans).toBeGreaterThan(0);
  });

  it('serial-line decoder', () => {
    const rnd = rng(12);
    const d = new SerialLineDecoder();
    let lines = 0;
    for (let i = 0; i < N; i++) lines += d.push(i % 2 ? mutate(rnd, Buffer.from('4243754826492874240001130000\r\n')) : randomBytes(rnd, 64)).length;
    expect(lines).toBeGreaterThan(1000);
  });

  it('ID-card text block and read payload', () => {
    const rnd = rng(13);
    const block = buildTextBlock(wangJianguo);
    const payload = Buffer.concat([Buffer.from([1, 0, 4, 0]), block, Buffer.alloc(1024)]);
    let ok = 0;
    for (let i = 0; i < N; i++) {
      try {
        if (i % 2) parseTextBlock(i % 4 === 1 ? mutate(rnd, block) : randomBytes(rnd, 300));
        else parseReadPayload(i % 4 === 0 ? mutate(rnd, payload) : randomBytes(rnd, 1400), false);
        ok++;
      } catch (e) {
        expect(e instanceof IdCardTextError || e instanceof IdCardError).toBe(true);
      }
    }
    expect(ok).toBeGreaterThan(0);
  });

  it('APDU responses and records', () => {
    const rnd = rng(14);
    for (let i = 0; i < N; i++) {
      try {
        const r = splitResponse(i % 2 ? mutate(rnd, Buffer.from('0110330300D15600000599110145FFFFFFFF9000', 'hex')) : randomBytes(rnd, 40));
        parseRecord(r.data, 1);
      } catch (e) {
        expect(e).toBeInstanceOf(SsCardError);
      }
    }
  });

  it('printer status bytes: every combination maps to one condition', () => {
    const seen = new Set<string>();
    const rnd = rng(15);
    for (let i = 0; i < N; i++) {
      const b = () => Math.floor(rnd() * 256);
      seen.add(conditionOf({ printer: b(), offlineCause: b(), errorCause: b(), paperSensor: b() }));
    }
    expect(seen.size).toBe(7);
  });
});
