import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PersonalData } from './personal-data';

const key = randomBytes(32);
const pd = new PersonalData({ key: () => key });

describe('personal data sealed at rest', () => {
  it('seals with a fresh nonce each time and opens again; the clear text is nowhere in the sealed form', () => {
    const plain = JSON.stringify({ name: '王建国', certNo: '320102196503150012', phone: '13800000001' });
    const a = pd.seal(plain);
    const b = pd.seal(plain);
    expect(a).not.toBe(b);
    expect(a.startsWith('pd1:')).toBe(true);
    for (const s of [a, b]) {
      expect(s).not.toContain('320102196503150012');
      expect(Buffer.from(s.slice(4), 'base64').includes(Buffer.from('王建国'))).toBe(false);
      expect(pd.open(s)).toBe(plain);
    }
  });

  it('refuses a sealed value that was changed or sealed under another key', () => {
    const s = pd.seal('{"certNo":"320102196503150012"}');
    const raw = Buffer.from(s.slice(4), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => pd.open('pd1:' + raw.toString('base64'))).toThrow(expect.objectContaining({ code: 'STORE_SEALED_UNREADABLE' }));
    const other = new PersonalData({ key: () => randomBytes(32) });
    expect(() => other.open(s)).toThrow(expect.objectContaining({ code: 'STORE_SEALED_UNREADABLE' }));
    expect(() => pd.open('pd1:AAAA')).toThrow(expect.objectContaining({ code: 'STORE_SEALED_UNREADABLE' }));
  });

  it('reads rows written before sealing as they are', () => {
    expect(pd.openJson('{"psnNo":"1"}')).toEqual({ psnNo: '1' });
  });

  it('indexes by a keyed hash: stable on one terminal, different on another, never the value', () => {
    const h = pd.index('320102196503150012');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(pd.index('320102196503150012')).toBe(h);
    expect(pd.index('320102196503150013')).not.toBe(h);
    expect(new PersonalData({ key: () => randomBytes(32) }).index('320102196503150012')).not.toBe(h);
  });
});
