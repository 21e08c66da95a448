import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskIdNumbersIn, maskName, maskPhone } from './mask';

describe('masking personal data', () => {
  it('shows the first three and last four characters of an ID number', () => {
    expect(maskIdNumber('320102195001011234')).toBe('320***********1234');
    expect(maskIdNumber('32010219500101123X')).toBe('320***********123X');
  });
  it('keeps first and last character of a name', () => {
    expect(maskName('王建国')).toBe('王*国');
    expect(maskName('李娜')).toBe('李*');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
  });
  it('masks phone numbers', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
  it('finds ID numbers inside log text', () => {
    expect(maskIdNumbersIn('card 320102195001011234 read')).toBe('card 320***********1234 read');
    expect(maskIdNumbersIn('msgid P44030300001202611241030150007')).toBe('msgid P44030300001202611241030150007');
  });
});
