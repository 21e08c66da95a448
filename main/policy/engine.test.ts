import { describe, expect, it } from 'vitest';
import { fen } from '../bridge/contract/money';
import { addYtd, emptyYtd, policyFor, priceLine, split } from './engine';
import { POLICIES } from './policies';
import type { BillLine, MedType, PersonBenefits, SplitInput, YearToDate, AssistanceCategory } from './types';

const policy = policyFor(POLICIES, '440300', '2026-11-24');
const line = (over: Partial<BillLine> = {}): BillLine => ({
  feedetlSn: '1',
  listCode: 'XJ01CAA040A001010101445',
  name: '阿莫西林胶囊',
  chrgitmLv: '01',
  unitPrice: fen(2000),
  quantityMilli: 1000,
  selfPayBp: 0,
  priceCap: null,
  ...over,
});
const resident: PersonBenefits = { insutype: '390', assistance: null, accountBalance: fen(0), mutualAidBalance: fen(0) };
const worker: PersonBenefits = { insutype: '310', assistance: null, accountBalance: fen(50_000), mutualAidBalance: fen(0) };

function identities(s: ReturnType<typeof split>) {
  expect(s.fundPaySumamt).toBe(s.hifpPay + s.cvlservPay + s.hifesPay + s.hifmiPay + s.hifobPay + s.mafPay + s.othPay);
  expect(s.psnPartAmt).toBe(s.acctPay + s.acctMulaidPay + s.psnCashPay);
  expect(s.medfeeSumamt).toBe(s.fundPaySumamt + s.psnPartAmt + s.hospPartAmt);
  expect(s.medfeeSumamt).toBe(s.fulamtOwnpayAmt + s.overlmtSelfpay + s.preselfpayAmt + s.inscpScpAmt);
  for (const v of [s.hifpPay, s.hifmiPay, s.hifobPay, s.mafPay, s.acctPay, s.acctMulaidPay, s.psnCashPay, s.actPayDedc]) expect(v).toBeGreaterThanOrEqual(0);
}

describe('the policy engine on the shipped policies', () => {
  it('picks the policy in force on the date, and a district falls back to its city', () => {
    expect(policyFor(POLICIES, '440300', '2025-06-01').name).toContain('2025');
    expect(policyFor(POLICIES, '440304', '2026-03-01').admdvs).toBe('440300');
    expect(() => policyFor(POLICIES, '110000', '2026-03-01')).toThrow(expect.objectContaining({ code: 'POLICY_NOT_FOUND' }));
  });

  it('prices 甲, 乙 (先行自付), 丙 and over-limit lines', () => {
    expect(priceLine(line({ chrgitmLv: '02', selfPayBp: 1000 }))).toMatchObject({ fee: 2000, preSelfPay: 200, inScope: 1800 });
    expect(priceLine(line({ chrgitmLv: '03' }))).toMatchObject({ fee: 2000, fulamtOwnpay: 2000, inScope: 0 });
    expect(priceLine(line({ priceCap: fen(1500), quantityMilli: 2000 }))).toMatchObject({ fee: 4000, overLimit: 1000, inScope: 3000 });
  });

  it('a resident buying 20 yuan of medicine at a pharmacy gets 60% from the fund', () => {
    const s = split({ policy, medType: '41', lines: [line()], person: resident, ytd: emptyYtd(), useAccount: true });
    expect(s).toMatchObject({ medfeeSumamt: 2000, hifpPay: 1200, psnCashPay: 800, acctPay: 0, actPayDedc: 0 });
    identities(s);
  });

  it('the resident outpatient fund stops at 200 yuan a year', () => {
    const ytd = emptyYtd();
    ytd.pooled.outpatient = fen(19_500);
    const s = split({ policy, medType: '11', lines: [line({ unitPrice: fen(10_000) })], person: resident, ytd, useAccount: false });
    expect(s.hifpPay).toBe(500);
    identities(s);
  });

  it('an employee pays their share from the personal account, then a family member’s (共济), then cash', () => {
    const s = split({
      policy,
      medType: '41',
      lines: [line({ unitPrice: fen(40_000) })],
      person: { ...worker, accountBalance: fen(5_000), mutualAidBalance: fen(2_000) },
      ytd: emptyYtd(),
      useAccount: true,
    });
    expect(s.hifpPay).toBe(30_000);
    expect(s).toMatchObject({ psnPartAmt: 10_000, acctPay: 5_000, acctMulaidPay: 2_000, psnCashPay: 3_000, balc: 0 });
    identities(s);
  });

  it('serious-illness insurance pays 80% above 20,000 yuan of in-policy self-pay, and assistance after it', () => {
    const ytd = emptyYtd();
    ytd.seriousBase = fen(1_900_000);
    const p: PersonBenefits = { ...resident, assistance: 'minimum-living' };
    const s = split({ policy, medType: '21', lines: [line({ unitPrice: fen(1_000_000) })], person: p, ytd, useAccount: false, newAdmission: true });
    // 10,000 in scope; 800 deductible; 70% of 9,200 = 6,440 pooled; self in scope 3,560.
    expect(s.hifpPay).toBe(644_000);
    expect(s.actPayDedc).toBe(80_000);
    // Cumulative self-pay 19,000 -> 22,560: 2,560 above 20,000 at 80% = 2,048.
    expect(s.hifmiPay).toBe(204_800);
    // Remaining in-policy self-pay 1,512 at 70% = 1,058.40 from assistance.
    expect(s.mafPay).toBe(105_840);
    identities(s);
  });

  it('region B pays serious illness 60% from 13,000 yuan up to 100,000 and 70% above', () => {
    const pb = policyFor(POLICIES, '320100', '2026-05-01');
    const ytd = emptyYtd();
    ytd.seriousBase = fen(9_990_000);
    ytd.pooled.inpatient = fen(15_000_000);
    const s = split({ policy: pb, medType: '21', lines: [line({ unitPrice: fen(20_000) })], person: resident, ytd, useAccount: false, newAdmission: false });
    expect(s.hifpPay).toBe(0);
    // 200 yuan of self-pay: 100 at 60% + 100 at 70% = 130 yuan.
    expect(s.hifmiPay).toBe(13_000);
    identities(s);
  });
});

describe('property: thousands of random baskets and people over a year', () => {
  it('keeps the identities, never exceeds a cap, and reversal restores accumulations exactly', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 0x100000000;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const medTypes: MedType[] = ['11', '14', '21', '41'];
    const assist: (AssistanceCategory | null)[] = [null, null, 'extreme-poverty', 'minimum-living', 'low-income'];
    let checked = 0;
    for (let person = 0; person < 40; person++) {
      const region = policyFor(POLICIES, pick(['440300', '320100']), '2026-06-01');
      const insutype = pick(['310', '390'] as const);
      let ytd: YearToDate = emptyYtd();
      let balance = Math.floor(rnd() * 300_000);
      const history: { delta: YearToDate; before: YearToDate }[] = [];
      for (let visit = 0; visit < 60; visit++) {
        const lines: BillLine[] = Array.from({ length: 1 + Math.floor(rnd() * 5) }, (_, i) => ({
          feedetlSn: String(i),
          listCode: 'X',
          name: 'x',
          chrgitmLv: pick(['01', '01', '02', '03'] as const),
          unitPrice: fen(1 + Math.floor(rnd() * (rnd() < 0.1 ? 5_000_000 : 20_000))),
          quantityMilli: 500 + Math.floor(rnd() * 5000),
          selfPayBp: pick([0, 500, 1000, 2000]),
          priceCap: rnd() < 0.2 ? fen(Math.floor(rnd() * 10_000)) : null,
        }));
        const input: SplitInput = {
          policy: region,
          medType: pick(medTypes),
          lines,
          person: { insutype, assistance: pick(assist), accountBalance: fen(balance), mutualAidBalance: fen(Math.floor(rnd() * 10_000)) },
          ytd,
          useAccount: rnd() < 0.8,
          newAdmission: rnd() < 0.5,
        };
        const s = split(input);
        identities(s);
        const before = ytd;
        ytd = addYtd(ytd, s.delta);
        history.push({ delta: s.delta, before });
        balance -= s.acctPay;
        expect(balance).toBeGreaterThanOrEqual(0);
        const scheme = region.schemes[insutype];
        for (const cat of ['outpatient', 'chronic', 'inpatient'] as const) expect(ytd.pooled[cat]).toBeLessThanOrEqual(scheme.pooling[cat]!.annualCap);
        if (scheme.poolAnnualCap !== null) expect(ytd.pooled.outpatient + ytd.pooled.chronic + ytd.pooled.inpatient).toBeLessThanOrEqual(scheme.poolAnnualCap);
        expect(ytd.seriousPaid).toBeLessThanOrEqual(scheme.seriousIllness!.annualCap);
        expect(ytd.assistancePaid).toBeLessThanOrEqual(fen(5_000_000));
        checked++;
      }
      // Reverse the whole year, newest first: every accumulation comes back exactly.
      for (const h of history.reverse()) {
        ytd = addYtd(ytd, h.delta, -1);
        expect(ytd).toEqual(h.before);
      }
      expect(ytd).toEqual(emptyYtd());
    }
    expect(checked).toBe(2400);
  });
});
