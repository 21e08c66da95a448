/**
 * What main accepts as an authorisation (validateGrant), case by case: each rule of the
 * classification with a request that passes and one that must fail, and the boundaries of the
 * period, the frequency limits and a ward's age.
 */
import { describe, expect, it } from 'vitest';
import { idCheckChar } from '../../bridge/contract/id-number';
import { CURRENT_AGREEMENT } from './agreement';
import { addDays, ageOn, validateGrant, type GrantRequest } from './grant';

const TODAY = '2026-06-15';
const idOf = (birth: string) => {
  const first17 = `440300${birth.replaceAll('-', '')}123`;
  return first17 + idCheckChar(first17);
};
const SELF = { idNumber: idOf('1989-02-28') };

const insurer: GrantRequest = {
  grantee: 'INS000101',
  purpose: '02',
  items: ['insu', 'setl'],
  medTypes: ['41'],
  start: TODAY,
  days: 90,
  perDay: null,
  total: 3,
  agreementVersion: CURRENT_AGREEMENT.version,
  ward: null,
};

const refused = (req: Partial<GrantRequest>, message: string | RegExp) => expect(() => validateGrant({ ...insurer, ...req }, TODAY, SELF)).toThrow(message);

describe('validateGrant', () => {
  it('accepts an insurer reading enrolment and pharmacy settlements for 90 days, three times in all', () => {
    expect(validateGrant(insurer, TODAY, SELF)).toEqual({
      grantee: { code: 'INS000101', name: '中国人寿保险股份有限公司', kind: 'insurer' },
      purpose: '02',
      items: ['insu', 'setl'],
      levels: [1, 3],
      medTypes: ['41'],
      begin: '2026-06-15',
      end: '2026-09-12',
      perDay: null,
      total: 3,
      ward: null,
    });
  });

  it('accepts level 1 alone for a year with no limit and no medical type', () => {
    expect(validateGrant({ ...insurer, items: ['insu'], medTypes: [], days: 365, total: null }, TODAY, SELF)).toMatchObject({ levels: [1], end: '2027-06-14' });
  });

  it('refuses a grantee, purpose or item it does not know, and a purpose not for that kind of grantee', () => {
    refused({ grantee: 'INS999999' }, '请选择被授权的机构');
    refused({ purpose: '99' }, '请选择授权用途');
    refused({ purpose: '03' }, '中国人寿保险股份有限公司不能以“单位补充医疗保险报销”为用途查询');
    refused({ items: ['insu', 'genome'] }, '可查询的信息中有不能识别的项目');
    refused({ items: [] }, '请选择可查询的信息');
    refused({ items: ['insu', 'insu'], medTypes: [] }, '可查询的信息有重复');
  });

  it.each(['face', 'photo', 'psydiag'])('never lets level-4 %s go to a third party', (item) => {
    refused({ items: ['insu', item] }, /属于敏感4级信息，不能授权第三方查询/);
  });

  it('needs medical types for level 3, only known ones, and none without level 3', () => {
    refused({ medTypes: [] }, '授权查询就医信息时，请选择医疗类别');
    refused({ medTypes: ['99'] }, '医疗类别中有不能识别的项目');
    refused({ items: ['insu'], medTypes: ['41'], total: null }, '未授权就医信息时，不需选择医疗类别');
  });

  it('needs a frequency limit for levels 2 and 3, not for level 1', () => {
    refused({ total: null }, '含敏感3级信息的授权须限定查询次数');
    refused({ items: ['acct'], medTypes: [], total: null }, '含敏感2级信息的授权须限定查询次数');
    expect(validateGrant({ ...insurer, total: null, perDay: 2 }, TODAY, SELF)).toMatchObject({ perDay: 2, total: null });
  });

  it('frequency bounds: 1 and 10 a day, 1 and 100 in all pass; 0, 11 and 101 fail; per day never above the total', () => {
    for (const perDay of [1, 10]) expect(validateGrant({ ...insurer, perDay, total: null }, TODAY, SELF).perDay).toBe(perDay);
    for (const total of [1, 100]) expect(validateGrant({ ...insurer, total }, TODAY, SELF).total).toBe(total);
    refused({ perDay: 0, total: null }, '每日查询次数应为 1 到 10 次');
    refused({ perDay: 11, total: null }, '每日查询次数应为 1 到 10 次');
    refused({ total: 101 }, '累计查询次数应为 1 到 100 次');
    refused({ perDay: 1.5, total: null }, '每日查询次数应为 1 到 10 次');
    refused({ perDay: 5, total: 3 }, '每日查询次数不能多于累计查询次数');
  });

  it("period: the strictest level's length passes, one day more fails", () => {
    expect(validateGrant(insurer, TODAY, SELF).end).toBe(addDays(TODAY, 89));
    refused({ days: 91 }, '含敏感3级信息的授权期限最长 90 天');
    expect(validateGrant({ ...insurer, items: ['acct'], medTypes: [], days: 180 }, TODAY, SELF).end).toBe('2026-12-11');
    refused({ items: ['acct'], medTypes: [], days: 181 }, '含敏感2级信息的授权期限最长 180 天');
    refused({ items: ['insu'], medTypes: [], days: 366 }, '含敏感1级信息的授权期限最长 365 天');
    refused({ days: 0 }, '请选择授权期限');
  });

  it('start: today and 30 days ahead pass; yesterday, 31 days ahead and a non-date fail', () => {
    expect(validateGrant({ ...insurer, start: addDays(TODAY, 30) }, TODAY, SELF).begin).toBe('2026-07-15');
    refused({ start: '2026-06-14' }, '授权开始日期不能早于今天');
    refused({ start: '2026-07-16' }, '授权开始日期最晚为 30 天后');
    refused({ start: '2026-02-30' }, '授权开始日期应为 年-月-日');
  });

  it('refuses an agreement version other than the one shown now', () => {
    expect(() => validateGrant({ ...insurer, agreementVersion: '2025.9' }, TODAY, SELF)).toThrow(expect.objectContaining({ code: 'AUTH_AGREEMENT_CHANGED' }));
  });

  it('a guardian authorises for a child of 13 (the day before the 14th birthday), not of 14 (that birthday)', () => {
    const thirteen = idOf('2012-06-16');
    expect(validateGrant({ ...insurer, ward: { idNumber: thirteen, name: '赵凤英' } }, TODAY, SELF).ward).toEqual({ idNumber: thirteen, name: '赵凤英' });
    refused({ ward: { idNumber: idOf('2012-06-15'), name: '赵凤英' } }, '年满 14 周岁的子女须本人办理授权');
    const wrongCheck = thirteen.slice(0, 17) + (thirteen[17] === '0' ? '1' : '0');
    refused({ ward: { idNumber: wrongCheck, name: '赵凤英' } }, '子女的身份证号码不是有效的 18 位号码');
    refused({ ward: { idNumber: thirteen, name: '' } }, '请填写子女的姓名');
    refused({ ward: { idNumber: SELF.idNumber, name: '赵宏伟' } }, '为本人授权请选择“本人”');
  });

  it('errors name the field for the screen', () => {
    expect(() => validateGrant({ ...insurer, days: 91 }, TODAY, SELF)).toThrow(
      expect.objectContaining({ code: 'AUTH_GRANT_INVALID', details: [{ path: 'days', message: '含敏感3级信息的授权期限最长 90 天' }] }),
    );
  });
});

describe('ageOn', () => {
  it('counts a year on the birthday, not the day before', () => {
    expect(ageOn('2012-06-15', '2026-06-14')).toBe(13);
    expect(ageOn('2012-06-15', '2026-06-15')).toBe(14);
  });
});
