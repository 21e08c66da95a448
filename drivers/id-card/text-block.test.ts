import { describe, expect, it } from 'vitest';
import { buildTextBlock, parseTextBlock } from './text-block';
import { annaKowalska, chenJiaming, markSmith, wangJianguo as residentCard } from '../../fixtures/people/id-cards';

describe('the 256-byte text block', () => {
  it('reads a resident card (no type flag)', () => {
    const block = buildTextBlock(residentCard);
    expect(block.length).toBe(256);
    expect(block.subarray(0, 6)).toEqual(Buffer.from('王建国', 'utf16le'));
    expect(block.subarray(248, 250)).toEqual(Buffer.from([0x20, 0x00]));
    expect(parseTextBlock(block)).toEqual(residentCard);
  });

  it('reads a 港澳台居民居住证 (flag J at 248)', () => {
    const card = chenJiaming;
    const block = buildTextBlock(card);
    expect(block.subarray(248, 250)).toEqual(Buffer.from([0x4a, 0x00]));
    expect(parseTextBlock(block)).toEqual(card);
  });

  it('reads a 2017 foreigner permanent-residence card (flag I = 49 00)', () => {
    const card = markSmith;
    const block = buildTextBlock(card);
    expect(block.subarray(248, 250)).toEqual(Buffer.from([0x49, 0x00]));
    expect(parseTextBlock(block)).toEqual(card);
  });

  it('reads a 2023 foreigner permanent-residence card (flag Y), joining the split English name', () => {
    const card = annaKowalska;
    const block = buildTextBlock(card);
    expect(block.subarray(248, 250)).toEqual(Buffer.from([0x59, 0x00]));
    expect(parseTextBlock(block)).toEqual(card);
  });

  it('refuses an unknown flag, a short block and implausible contents', () => {
    const block = buildTextBlock(residentCard);
    block.write('Q', 248, 'utf16le');
    expect(() => parseTextBlock(block)).toThrow(/unknown card type flag/);
    expect(() => parseTextBlock(Buffer.alloc(100))).toThrow(/100 bytes/);
    expect(() => parseTextBlock(buildTextBlock({ ...residentCard, birthDate: '1950' }))).toThrow(/birth date/);
    expect(() => parseTextBlock(Buffer.alloc(256))).toThrow();
  });
});
