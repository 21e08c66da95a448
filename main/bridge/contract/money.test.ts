import { describe, expect, it } from 'vitest';
import { fen, formatYuan, yuanToFen } from './money';

describe('money in fen', () => {
  it('formats fen as yuan with two decimals', () => {
    expect(formatYuan(fen(12345))).toBe('123.45');
    expect(formatYuan(fen(5))).toBe('0.05');
    expect(formatYuan(fen(-2510))).toBe('-25.10');
    expect(formatYuan(fen(0))).toBe('0.00');
  });
  it('parses platform decimals without float drift', () => {
    expect(yuanToFen(4.52)).toBe(452);
    expect(yuanToFen('23442.46')).toBe(2344246);
    expect(yuanToFen('-25.1')).toBe(-2510);
    expect(yuanToFen(0.1 + 0.2)).toBe(30);
    expect(yuanToFen('7')).toBe(700);
  });
  it('refuses what is not an amount', () => {
    expect(() => yuanToFen('12,00')).toThrow(RangeError);
    expect(() => yuanToFen('abc')).toThrow(RangeError);
    expect(() => fen(1.5)).toThrow(RangeError);
  });
});
