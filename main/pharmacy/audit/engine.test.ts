/**
 * The local 事中审核, rule by rule, each with a case that must pass and one that must be caught,
 * at the boundaries the rules name (the day a supply runs out, the 30th day of supply, the 18th
 * birthday); and the local copy of the rules against the embedded platform's library.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../fixtures/platform/catalogue';
import { SIM_AUDIT_LIMITS, SIM_DRUG_LIMITS, SIM_RULES } from '../../../fixtures/platform/audit/library';
import { auditLocally, type AuditLine, type AuditPerson, type Purchase } from './engine';
import { AUDIT_RULES, DRUG_RULES, SUPPLY_DAYS } from './library';

const drug = (name: string) => CATALOGUE.find((d) => d.name.startsWith(name))!;
const line = (name: string, packs = 1): AuditLine => {
  const d = drug(name);
  return { lineId: String(d.barcode.slice(-3)), listCode: d.hilistCode, name: d.name, packs, amount: d.price * packs };
};
const man: AuditPerson = { sex: '1', birthDate: '1950-01-01', filings: [] };
const woman: AuditPerson = { sex: '2', birthDate: '1990-06-16', filings: [] };
const TODAY = '2026-06-15';
const rules = (person: AuditPerson, lines: AuditLine[], history: Purchase[] = []) => auditLocally(person, lines, history, TODAY).map((f) => f.rule);

describe('the local audit, rule by rule', () => {
  it('a basket of ordinary drugs has nothing to say', () => {
    expect(rules(man, [line('阿莫西林'), line('对乙酰氨基酚'), line('阿托伐他汀', 2)])).toEqual([]);
  });

  it('非医保目录/保健品: a health supplement and a mask are caught, the list drug beside them is not', () => {
    const found = auditLocally(man, [line('维生素C'), line('医用外科口罩'), line('板蓝根')], [], TODAY);
    expect(found.map((f) => [f.rule, f.amount])).toEqual([
      ['outsideList', drug('维生素C').price],
      ['outsideList', drug('医用外科口罩').price],
    ]);
    expect(AUDIT_RULES.outsideList.severity).toBe('block');
  });

  it('限性别: 妇科千金片 for a man is caught, for a woman not; an unknown sex is not guessed', () => {
    expect(rules(man, [line('妇科千金片')])).toEqual(['sexLimited']);
    expect(rules(woman, [line('妇科千金片')])).toEqual([]);
    expect(rules({ ...man, sex: null }, [line('妇科千金片')])).toEqual([]);
  });

  it('限年龄 (限儿童, under 18): caught on the 18th birthday, not the day before', () => {
    const born = (d: string): AuditPerson => ({ sex: '2', birthDate: d, filings: [] });
    expect(rules(born('2008-06-16'), [line('小儿氨酚黄那敏')])).toEqual([]); // 17 until tomorrow
    expect(rules(born('2008-06-15'), [line('小儿氨酚黄那敏')])).toEqual(['ageLimited']); // 18 today
    expect(rules(man, [line('小儿氨酚黄那敏')])).toEqual(['ageLimited']);
  });

  it('重复用药: a pack of 30 days bought 20 days ago still lasts 10 days — caught; bought 25 days ago (5 left, the grace) — not', () => {
    const bought = (date: string): Purchase[] => [{ date, lines: [{ listCode: drug('硝苯地平').hilistCode, packs: 1 }] }];
    expect(rules(man, [line('硝苯地平')], bought('2026-05-26'))).toEqual(['repeated']);
    expect(rules(man, [line('硝苯地平')], bought('2026-05-21'))).toEqual([]);
    // Two earlier packs run on one after the other: to 05-25, then to 06-24.
    expect(rules(man, [line('硝苯地平')], [...bought('2026-04-25'), ...bought('2026-04-26')])).toEqual(['repeated']);
    // Another drug bought yesterday is no repeat.
    expect(rules(man, [line('硝苯地平')], [{ date: '2026-06-14', lines: [{ listCode: drug('卡托普利').hilistCode, packs: 1 }] }])).toEqual([]);
    const f = auditLocally(man, [line('硝苯地平')], bought('2026-05-26'), TODAY)[0]!;
    expect(f.content).toContain('还可用 10 天');
  });

  it('超限定支付疗程: 30 days of supply pass, 33 do not; with the 慢特病 filing the limit is 84 days', () => {
    expect(rules(man, [line('硝苯地平', 1)])).toEqual([]); // 30 days
    expect(rules(man, [line('卡托普利', 1)])).toEqual(['tooMuch']); // 33 days
    expect(rules(man, [line('二甲双胍', 2)])).toEqual(['tooMuch']); // 32 days
    expect(rules({ ...man, filings: ['M01600'] }, [line('甘精胰岛素', 5)])).toEqual([]); // 75 days, filed
    expect(rules({ ...man, filings: ['M01600'] }, [line('甘精胰岛素', 6)])).toEqual(['tooMuch']); // 90 days
  });

  it('限定支付范围: 甘精胰岛素 needs a 糖尿病 filing; offline (filings unknown) it is a warning that says so', () => {
    expect(rules(man, [line('甘精胰岛素')])).toEqual(['restricted']);
    expect(rules({ ...man, filings: ['M01600'] }, [line('甘精胰岛素')])).toEqual([]);
    expect(auditLocally({ ...man, filings: null }, [line('甘精胰岛素')], [], TODAY)[0]!.content).toContain('离线时无法核实');
  });

  it('回流药: a box whose trace code this terminal has sold before is caught; a new box of the same drug is not', () => {
    const sold = new Set(['81000000000000000001']);
    const box = (code: string): AuditLine => ({ ...line('阿莫西林'), traceCodes: [code] });
    expect(auditLocally(man, [box('81000000000000000001')], [], TODAY, sold).map((f) => [f.rule, f.content])).toEqual([
      ['traceReused', '阿莫西林胶囊的追溯码 81000000000000000001 已经结算过'],
    ]);
    expect(rules(man, [box('81000000000000000002')])).toEqual([]);
    expect(AUDIT_RULES.traceReused.severity).toBe('block');
  });
});

describe('the local rule copy and the platform library agree', () => {
  it('on every rule id, name and severity', () => {
    const local = Object.values(AUDIT_RULES).map((r) => [r.id, r.name, r.severity === 'block' ? '1' : '2']);
    const platform = Object.values(SIM_RULES).map((r) => [r.rule_id, r.rule_name, r.sev_deg]);
    expect(local.sort()).toEqual(platform.sort());
  });

  it('on every drug limit and on the supply days', () => {
    const norm = (l: { nonList?: boolean; gend?: string; maxAge?: number; minAge?: number; daysPerPack?: number; needsFiling?: { codes: string[] } }) => ({
      outsideList: !!l.nonList,
      sex: l.gend ?? null,
      ageBelow: l.maxAge === undefined ? null : l.maxAge + 1,
      ageFrom: l.minAge ?? null,
      packDays: l.daysPerPack ?? null,
      filing: l.needsFiling?.codes ?? null,
    });
    const local = Object.fromEntries(
      Object.entries(DRUG_RULES).map(([code, r]) => [
        code,
        {
          outsideList: !!r.outsideList,
          sex: r.sex ?? null,
          ageBelow: r.ageBelow ?? null,
          ageFrom: r.ageFrom ?? null,
          packDays: r.packDays ?? null,
          filing: r.filing ?? null,
        },
      ]),
    );
    expect(local).toEqual(Object.fromEntries(Object.entries(SIM_DRUG_LIMITS).map(([code, l]) => [code, norm(l)])));
    expect(SUPPLY_DAYS).toEqual({
      usual: SIM_AUDIT_LIMITS.maxSupplyDays,
      withFiling: SIM_AUDIT_LIMITS.maxSupplyDaysWithFiling,
      earlyRefill: SIM_AUDIT_LIMITS.refillGraceDays,
    });
    for (const code of Object.keys(DRUG_RULES)) expect([code, CATALOGUE.some((d) => d.hilistCode === code)]).toEqual([code, true]);
  });
});
