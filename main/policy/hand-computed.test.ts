/**
 * Settlements worked out by hand from the figures in policies.ts, one named situation each, with
 * the arithmetic beside it. The expected fen were computed on paper, never by calling the engine:
 * if a case disagrees, the engine or the policy data is wrong, not the case.
 *
 * Rounding as the interface settles money: a share of an amount is rounded half up to the fen.
 * Order of a split: 先行自付 and 丙类 leave the policy scope line by line; the pooled fund pays its
 * ratio of the in-scope amount above the 起付线, up to the caps; 大病保险 (residents: hifmi_pay) or
 * 大额补助 (employees: hifob_pay) pays on the year's in-policy self-pay above its threshold; 医疗救助
 * pays on what in-policy self-pay remains; the person's part goes to their own personal account,
 * then a family member's (共济), then cash.
 */
import { describe, expect, it } from 'vitest';
import { fen } from '../bridge/contract/money';
import { emptyYtd, policyFor, split } from './engine';
import { POLICIES } from './policies';
import type { AssistanceCategory, BillLine, PersonBenefits, Split, YearToDate } from './types';

const shenzhen = policyFor(POLICIES, '440300', '2026-06-15');
const nanjing = policyFor(POLICIES, '320100', '2026-06-15');

/** A bill line: price in fen, quantity in boxes. */
function line(
  feedetlSn: string,
  name: string,
  chrgitmLv: BillLine['chrgitmLv'],
  unitPrice: number,
  boxes = 1,
  selfPayBp = 0,
  priceCap: number | null = null,
): BillLine {
  return {
    feedetlSn,
    listCode: `HAND${feedetlSn}`,
    name,
    chrgitmLv,
    unitPrice: fen(unitPrice),
    quantityMilli: boxes * 1000,
    selfPayBp,
    priceCap: priceCap === null ? null : fen(priceCap),
  };
}

function resident(assistance: AssistanceCategory | null = null): PersonBenefits {
  return { insutype: '390', assistance, accountBalance: fen(0), mutualAidBalance: fen(0) };
}

function employee(accountBalance: number, mutualAidBalance = 0): PersonBenefits {
  return { insutype: '310', assistance: null, accountBalance: fen(accountBalance), mutualAidBalance: fen(mutualAidBalance) };
}

function yearSoFar(over: (y: YearToDate) => void): YearToDate {
  const y = emptyYtd();
  over(y);
  return y;
}

interface HandSplit {
  medfeeSumamt: number;
  hifpPay: number;
  hifmiPay: number;
  hifobPay: number;
  mafPay: number;
  acctPay: number;
  acctMulaidPay: number;
  psnCashPay: number;
}

/** The engine's split equals the hand computation to the fen, and the parts add up to the bill. */
function settlesAs(s: Split, hand: HandSplit): void {
  expect({
    medfeeSumamt: s.medfeeSumamt,
    hifpPay: s.hifpPay,
    hifmiPay: s.hifmiPay,
    hifobPay: s.hifobPay,
    mafPay: s.mafPay,
    acctPay: s.acctPay,
    acctMulaidPay: s.acctMulaidPay,
    psnCashPay: s.psnCashPay,
  }).toEqual(hand);
  expect(hand.hifpPay + hand.hifmiPay + hand.hifobPay + hand.mafPay + hand.acctPay + hand.acctMulaidPay + hand.psnCashPay).toBe(hand.medfeeSumamt);
  expect(s.hifpPay + s.hifmiPay + s.hifobPay + s.mafPay + s.acctPay + s.acctMulaidPay + s.psnCashPay).toBe(s.medfeeSumamt);
}

describe('settlements computed by hand from the shipped policies', () => {
  it('uses the figures the cases below were computed from', () => {
    const r = shenzhen.schemes['390'];
    const e = shenzhen.schemes['310'];
    expect(r.pooling.outpatient).toMatchObject({ deductible: 0, ratioBp: 6000, annualCap: 20_000 });
    expect(r.pooling.inpatient).toMatchObject({ deductible: 80_000, deductiblePer: 'admission', ratioBp: 7000, annualCap: 15_000_000 });
    expect(r.poolAnnualCap).toBe(15_000_000);
    expect(r.seriousIllness).toMatchObject({ field: 'hifmi_pay', deductible: 2_000_000, bands: [{ upTo: null, ratioBp: 8000 }], annualCap: 40_000_000 });
    expect(r.personalAccount).toBeNull();
    expect(e.pooling.outpatient).toMatchObject({ deductible: 0, ratioBp: 7500, annualCap: 150_000 });
    expect(e.pooling.chronic).toMatchObject({ deductible: 0, ratioBp: 8000, annualCap: 600_000 });
    expect(e.personalAccount).toEqual({ medTypes: ['11', '14', '21', '41'], coversOwnPay: true, mutualAid: true });
    expect(shenzhen.assistance['extreme-poverty']).toEqual({ ratioBp: 10000, annualCap: 5_000_000, deductible: 0 });
    expect(shenzhen.assistance['low-income']).toEqual({ ratioBp: 6000, annualCap: 5_000_000, deductible: 100_000 });
    expect(nanjing.schemes['390'].seriousIllness).toMatchObject({
      deductible: 1_300_000,
      bands: [
        { upTo: 10_000_000, ratioBp: 6000 },
        { upTo: null, ratioBp: 7000 },
      ],
    });
    expect(nanjing.schemes['310'].pooling.inpatient).toMatchObject({ deductible: 100_000, ratioBp: 8500, annualCap: 50_000_000 });
    expect(nanjing.schemes['310'].seriousIllness?.field).toBe('hifob_pay');
  });

  it('1. a Shenzhen resident admitted with a 5,000 yuan bill pays the 800 yuan 起付线 and 30% of the rest', () => {
    // In scope 500,000 (甲类). 起付线 80,000. Fund 70% × (500,000 − 80,000) = 294,000.
    // Self in scope 206,000: far below 大病's 2,000,000, so 0. Cash 500,000 − 294,000 = 206,000.
    const s = split({
      policy: shenzhen,
      medType: '21',
      lines: [line('1', '住院费用（甲类）', '01', 500_000)],
      person: resident(),
      ytd: emptyYtd(),
      useAccount: false,
      newAdmission: true,
    });
    expect(s.actPayDedc).toBe(80_000);
    settlesAs(s, { medfeeSumamt: 500_000, hifpPay: 294_000, hifmiPay: 0, hifobPay: 0, mafPay: 0, acctPay: 0, acctMulaidPay: 0, psnCashPay: 206_000 });
  });

  it('2. the second bill of the same admission pays only what is left of the 起付线', () => {
    // 300 yuan of the 800 already paid in this admission: 起付线 left 80,000 − 30,000 = 50,000.
    // Bill 200,000 in scope. Fund 70% × 150,000 = 105,000. Cash 200,000 − 105,000 = 95,000.
    const s = split({
      policy: shenzhen,
      medType: '21',
      lines: [line('1', '住院费用（甲类）', '01', 200_000)],
      person: resident(),
      ytd: yearSoFar((y) => {
        y.deductiblePaid.inpatient = fen(30_000);
        y.seriousBase = fen(30_000);
      }),
      useAccount: false,
      newAdmission: false,
    });
    expect(s.actPayDedc).toBe(50_000);
    settlesAs(s, { medfeeSumamt: 200_000, hifpPay: 105_000, hifmiPay: 0, hifobPay: 0, mafPay: 0, acctPay: 0, acctMulaidPay: 0, psnCashPay: 95_000 });
  });

  it('3. a resident’s pharmacy basket: 乙类 先行自付 and 限价 leave the scope, 丙类 is all self-paid, the fund pays 60% of the rest', () => {
    // 阿托伐他汀钙片 乙类 10%, 44.80 with a 40.00 限价: over limit 480; 先行自付 10% × 4,000 = 400; in scope 3,600.
    // 奥美拉唑肠溶胶囊 乙类 5%, 36.50: 先行自付 5% × 3,650 = 182.5 → 183 (half up); in scope 3,467.
    // 维生素C咀嚼片 丙类 68.00: 6,800 own pay.  阿莫西林胶囊 甲类 12.50 × 3 = 3,750 in scope.
    // Total 4,480 + 3,650 + 6,800 + 3,750 = 18,680. In scope 3,600 + 3,467 + 3,750 = 10,817.
    // Fund 60% × 10,817 = 6,490.2 → 6,490 (cap 20,000 not reached). Cash 18,680 − 6,490 = 12,190.
    const s = split({
      policy: shenzhen,
      medType: '41',
      lines: [
        line('1', '阿托伐他汀钙片', '02', 4_480, 1, 1000, 4_000),
        line('2', '奥美拉唑肠溶胶囊', '02', 3_650, 1, 500),
        line('3', '维生素C咀嚼片（保健食品）', '03', 6_800),
        line('4', '阿莫西林胶囊', '01', 1_250, 3),
      ],
      person: resident(),
      ytd: emptyYtd(),
      useAccount: true,
    });
    expect({ over: s.overlmtSelfpay, pre: s.preselfpayAmt, own: s.fulamtOwnpayAmt, scope: s.inscpScpAmt }).toEqual({
      over: 480,
      pre: 583,
      own: 6_800,
      scope: 10_817,
    });
    settlesAs(s, { medfeeSumamt: 18_680, hifpPay: 6_490, hifmiPay: 0, hifobPay: 0, mafPay: 0, acctPay: 0, acctMulaidPay: 0, psnCashPay: 12_190 });
  });

  it('4. a resident who has had 180 of the year’s 200 yuan outpatient pooling gets the last 20, not 60', () => {
    // 100.00 甲类 at a clinic: 60% = 6,000, but only 20,000 − 18,000 = 2,000 of the cap is left.
    // Cash 10,000 − 2,000 = 8,000.
    const s = split({
      policy: shenzhen,
      medType: '11',
      lines: [line('1', '普通门诊（甲类）', '01', 10_000)],
      person: resident(),
      ytd: yearSoFar((y) => {
        y.pooled.outpatient = fen(18_000);
      }),
      useAccount: false,
    });
    settlesAs(s, { medfeeSumamt: 10_000, hifpPay: 2_000, hifmiPay: 0, hifobPay: 0, mafPay: 0, acctPay: 0, acctMulaidPay: 0, psnCashPay: 8_000 });
  });

  it('5. a resident whose pooled fund reaches its 150,000 yuan cap mid-bill: 大病保险 pays 80% of what the fund no longer pays', () => {
    // Year so far: fund paid 14,900,000 for inpatient care; self in scope 2,500,000 (大病 paid 80% × 500,000 = 400,000).
    // Bill 500,000 in scope, new admission: 起付线 80,000; 70% × 420,000 = 294,000, but only
    // 15,000,000 − 14,900,000 = 100,000 is left of both the inpatient cap and the year's pool cap: fund 100,000.
    // Self in scope 500,000 − 100,000 = 400,000, all above 2,000,000 (base 2,500,000 → 2,900,000): 80% = 320,000.
    // Cash 500,000 − 100,000 − 320,000 = 80,000.
    const s = split({
      policy: shenzhen,
      medType: '21',
      lines: [line('1', '住院费用（甲类）', '01', 500_000)],
      person: resident(),
      ytd: yearSoFar((y) => {
        y.pooled.inpatient = fen(14_900_000);
        y.seriousBase = fen(2_500_000);
        y.seriousPaid = fen(400_000);
      }),
      useAccount: false,
      newAdmission: true,
    });
    settlesAs(s, { medfeeSumamt: 500_000, hifpPay: 100_000, hifmiPay: 320_000, hifobPay: 0, mafPay: 0, acctPay: 0, acctMulaidPay: 0, psnCashPay: 80_000 });
  });

  it('6. a Nanjing resident crosses the 13,000 yuan 大病 threshold during the stay and gets 60% of the part above it', () => {
    // Bill 2,000,000 in scope, new admission: 起付线 80,000; fund 70% × 1,920,000 = 1,344,000.
    // Self in scope 656,000: the year's base goes 1,200,000 → 1,856,000; above 1,300,000 lies 556,000,
    // all in the first band (up to 10,000,000) at 60% = 333,600.
    // Cash 2,000,000 − 1,344,000 − 333,600 = 322,400.
    const s = split({
      policy: nanjing,
      medType: '21',
      lines: [line('1', '住院费用（甲类）', '01', 2_000_000)],
      person: resident(),
      ytd: yearSoFar((y) => {
        y.seriousBase = fen(1_200_000);
      }),
      useAccount: false,
      newAdmission: true,
    });
    settlesAs(s, { medfeeSumamt: 2_000_000, hifpPay: 1_344_000, hifmiPay: 333_600, hifobPay: 0, mafPay: 0, acctPay: 0, acctMulaidPay: 0, psnCashPay: 322_400 });
  });

  it('7. a Nanjing employee’s 大额补助 crosses from the 60% band into the 70% band; the rest is paid from the account, then 共济, then cash', () => {
    // Bill 3,000,000 in scope, new admission: employee 起付线 100,000; fund 85% × 2,900,000 = 2,465,000.
    // Self in scope 535,000: base 9,900,000 → 10,435,000. First band up to 10,000,000: 100,000 × 60% = 60,000;
    // above it 435,000 × 70% = 304,500. 大额补助 (hifob_pay) 364,500; the year's 5,220,000 paid is far from the 40,000,000 cap.
    // Person's part 3,000,000 − 2,465,000 − 364,500 = 170,500: own account 100,000, family account 50,000, cash 20,500.
    const s = split({
      policy: nanjing,
      medType: '21',
      lines: [line('1', '住院费用（甲类）', '01', 3_000_000)],
      person: employee(100_000, 50_000),
      ytd: yearSoFar((y) => {
        y.seriousBase = fen(9_900_000);
        y.seriousPaid = fen(5_220_000);
      }),
      useAccount: true,
      newAdmission: true,
    });
    expect(s.balc).toBe(0);
    settlesAs(s, {
      medfeeSumamt: 3_000_000,
      hifpPay: 2_465_000,
      hifmiPay: 0,
      hifobPay: 364_500,
      mafPay: 0,
      acctPay: 100_000,
      acctMulaidPay: 50_000,
      psnCashPay: 20_500,
    });
  });

  it('8. a 低保边缘 resident in hospital: 医疗救助 pays 60% of in-policy self-pay above its 1,000 yuan threshold', () => {
    // Bill 600,000 in scope, new admission: 起付线 80,000; fund 70% × 520,000 = 364,000. Self in scope 236,000.
    // 大病: base 50,000 → 286,000, below 2,000,000: 0.
    // 救助: the year's base goes 50,000 → 286,000; above the 100,000 threshold lies 186,000; 60% = 111,600.
    // Cash 600,000 − 364,000 − 111,600 = 124,400.
    const s = split({
      policy: shenzhen,
      medType: '21',
      lines: [line('1', '住院费用（甲类）', '01', 600_000)],
      person: resident('low-income'),
      ytd: yearSoFar((y) => {
        y.seriousBase = fen(50_000);
        y.assistanceBase = fen(50_000);
      }),
      useAccount: false,
      newAdmission: true,
    });
    settlesAs(s, { medfeeSumamt: 600_000, hifpPay: 364_000, hifmiPay: 0, hifobPay: 0, mafPay: 111_600, acctPay: 0, acctMulaidPay: 0, psnCashPay: 124_400 });
  });

  it('9. a 特困 resident at the pharmacy: 救助 pays all in-policy self-pay, but 乙类 先行自付 and 丙类 stay in cash', () => {
    // 对乙酰氨基酚片 甲类 15.60: 1,560 in scope. 连花清瘟胶囊 乙类 10%, 24.80: 先行自付 248 (248.0), in scope 2,232.
    // 医用外科口罩 丙类 15.00: 1,500 own pay. Total 1,560 + 2,480 + 1,500 = 5,540; in scope 3,792.
    // Fund 60% × 3,792 = 2,275.2 → 2,275. 大病 does not cover outpatient. 救助 100% × (3,792 − 2,275) = 1,517.
    // Cash 5,540 − 2,275 − 1,517 = 1,748 = 248 先行自付 + 1,500 丙类.
    const s = split({
      policy: shenzhen,
      medType: '41',
      lines: [line('1', '对乙酰氨基酚片', '01', 1_560), line('2', '连花清瘟胶囊', '02', 2_480, 1, 1000), line('3', '医用外科口罩', '03', 1_500)],
      person: resident('extreme-poverty'),
      ytd: emptyYtd(),
      useAccount: true,
    });
    settlesAs(s, { medfeeSumamt: 5_540, hifpPay: 2_275, hifmiPay: 0, hifobPay: 0, mafPay: 1_517, acctPay: 0, acctMulaidPay: 0, psnCashPay: 1_748 });
  });

  it('10. an employee buying medicine pays the share the fund leaves from the personal account, then a family member’s (共济), then cash', () => {
    // 硝苯地平缓释片 甲类 32.80 × 2 = 6,560 in scope; 维生素C咀嚼片 丙类 68.00 = 6,800 own pay. Total 13,360.
    // Fund 75% × 6,560 = 4,920 (4,920.0). Person's part 13,360 − 4,920 = 8,440, 丙类 included (the account covers own pay):
    // own account 5,000 (all of it), family account 2,000 (all of it), cash 8,440 − 5,000 − 2,000 = 1,440.
    const s = split({
      policy: shenzhen,
      medType: '41',
      lines: [line('1', '硝苯地平缓释片', '01', 3_280, 2), line('2', '维生素C咀嚼片（保健食品）', '03', 6_800)],
      person: employee(5_000, 2_000),
      ytd: emptyYtd(),
      useAccount: true,
    });
    expect(s.balc).toBe(0);
    settlesAs(s, { medfeeSumamt: 13_360, hifpPay: 4_920, hifmiPay: 0, hifobPay: 0, mafPay: 0, acctPay: 5_000, acctMulaidPay: 2_000, psnCashPay: 1_440 });
  });

  it('11. an employee near the 6,000 yuan 门诊慢特病 cap with an empty personal account pays the rest in cash', () => {
    // 二甲双胍片 甲类 26.50 × 4 = 10,600 in scope. 80% = 8,480, but 600,000 − 595,000 = 5,000 is left of the cap.
    // Self in scope 5,600; 大病 base 300,000 → 305,600, below 2,000,000: 0. Account empty, no family account: cash 5,600.
    const s = split({
      policy: shenzhen,
      medType: '14',
      lines: [line('1', '二甲双胍片', '01', 2_650, 4)],
      person: employee(0),
      ytd: yearSoFar((y) => {
        y.pooled.chronic = fen(595_000);
        y.seriousBase = fen(300_000);
      }),
      useAccount: true,
    });
    settlesAs(s, { medfeeSumamt: 10_600, hifpPay: 5_000, hifmiPay: 0, hifobPay: 0, mafPay: 0, acctPay: 0, acctMulaidPay: 0, psnCashPay: 5_600 });
  });
});
