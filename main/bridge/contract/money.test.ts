import { describe, expect, it } from 'vitest';
import { fen, fenToWire, formatMoney, formatYuan, wholeYuan, yuanToFen } from './money';

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
  it('shows money one way on screen and paper, and writes the wire and whole-yuan data exactly', () => {
    expect(formatMoney(123456)).toBe('￥1234.56');
    expect(formatMoney(5)).toBe('￥0.05');
    expect(formatMoney(-2510)).toBe('￥-25.10');
    expect(() => formatMoney(12.5)).toThrow(RangeError);
    expect(fenToWire(1250)).toBe(12.5);
    expect(fenToWire(1)).toBe(0.01);
    expect(fenToWire(-3120)).toBe(-31.2);
    expect(() => fenToWire(0.5)).toThrow(RangeError);
    expect(wholeYuan(500)).toBe(50_000);
    expect(() => wholeYuan(1.5)).toThrow(RangeError);
    for (const f of [0, 1, 99, 1250, 123456789, -7]) expect(yuanToFen(fenToWire(f))).toBe(f);
  });
});
