import { describe, expect, it } from 'vitest';
import { emptyGrant, grantComplete, maxDaysFor, needsFrequency, needsMedTypes, toggle, type Grant } from './grant';

const options = {
  items: [
    { key: 'insu', name: '参保信息', level: 1, fields: [] },
    { key: 'acct', name: '个人账户余额', level: 2, fields: [] },
    { key: 'setl', name: '就诊结算记录', level: 3, fields: [] },
  ],
  levels: [
    { level: 1, name: '敏感1级', thirdParty: true, frequencyLimit: false, maxDays: 365, medTypes: false },
    { level: 2, name: '敏感2级', thirdParty: true, frequencyLimit: true, maxDays: 180, medTypes: false },
    { level: 3, name: '敏感3级', thirdParty: true, frequencyLimit: true, maxDays: 90, medTypes: true },
    { level: 4, name: '敏感4级', thirdParty: false, frequencyLimit: true, maxDays: 0, medTypes: false },
  ],
};
const basic: Grant = { ...emptyGrant, grantee: 'INS000101', purpose: '01', items: ['insu'], days: 365 };

describe('toggle', () => {
  it('adds a ticked value after those already ticked, once', () => {
    expect(toggle(['setl'], 'insu', true)).toEqual(['setl', 'insu']);
    expect(toggle(['setl'], 'setl', true)).toEqual(['setl']);
  });

  it('removes an unticked value and keeps the rest in order', () => {
    expect(toggle(['setl', 'insu', 'acct'], 'insu', false)).toEqual(['setl', 'acct']);
  });
});

describe('what the form asks next', () => {
  it('a level-1 grant needs no limit or medical type and may run a year', () => {
    expect(needsFrequency(basic, options)).toBe(false);
    expect(needsMedTypes(basic, options)).toBe(false);
    expect(maxDaysFor(basic, options)).toBe(365);
    expect(grantComplete(basic, options)).toBe(true);
  });

  it('a level-3 item shortens the period to 90 days and asks for medical types and a limit', () => {
    const g = { ...basic, items: ['insu', 'setl'], days: 90 };
    expect(maxDaysFor(g, options)).toBe(90);
    expect(grantComplete(g, options)).toBe(false);
    expect(grantComplete({ ...g, medTypes: ['41'] }, options)).toBe(false);
    expect(grantComplete({ ...g, medTypes: ['41'], total: 3 }, options)).toBe(true);
    expect(grantComplete({ ...g, medTypes: ['41'], total: 3, days: 91 }, options)).toBe(false);
  });

  it('is incomplete without a grantee, a purpose, an item or a period, or with a half-filled child', () => {
    expect(grantComplete({ ...basic, grantee: '' }, options)).toBe(false);
    expect(grantComplete({ ...basic, purpose: '' }, options)).toBe(false);
    expect(grantComplete({ ...basic, items: [] }, options)).toBe(false);
    expect(grantComplete({ ...basic, days: 0 }, options)).toBe(false);
    expect(grantComplete({ ...basic, ward: { idNumber: '44030020160125', name: '赵凤英' } }, options)).toBe(false);
    expect(grantComplete({ ...basic, ward: { idNumber: '440300201601251234', name: '赵凤英' } }, options)).toBe(true);
  });
});
