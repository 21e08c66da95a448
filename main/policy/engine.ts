/**
 * The split of a bill between the pooled fund, serious-illness insurance, medical assistance,
 * the personal account (and family mutual aid) and cash, in integer fen. The arithmetic
 * identities hold for every result: fund total = sum of fund parts; personal part = account +
 * mutual aid + cash; total = fund + personal part.
 */
import { fen, type Fen } from '../bridge/contract/money';
import type { Band, BenefitCategory, LineResult, RegionPolicy, Split, SplitInput, YearToDate } from './types';

export class PolicyError extends Error {
  constructor(
    readonly code: 'POLICY_NOT_FOUND' | 'POLICY_BAD_BILL',
    message: string,
  ) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** amount × bp / 10000, rounded half up to the fen. */
export function ratio(amount: number, bp: number): Fen {
  return fen(Math.floor((amount * bp + 5000) / 10000));
}

export function emptyYtd(): YearToDate {
  return {
    deductiblePaid: { outpatient: fen(0), chronic: fen(0), inpatient: fen(0) },
    pooled: { outpatient: fen(0), chronic: fen(0), inpatient: fen(0) },
    seriousBase: fen(0),
    seriousPaid: fen(0),
    assistanceBase: fen(0),
    assistancePaid: fen(0),
  };
}

export function addYtd(a: YearToDate, b: YearToDate, sign: 1 | -1 = 1): YearToDate {
  const cats: BenefitCategory[] = ['outpatient', 'chronic', 'inpatient'];
  return {
    deductiblePaid: Object.fromEntries(cats.map((c) => [c, fen(a.deductiblePaid[c] + sign * b.deductiblePaid[c])])) as YearToDate['deductiblePaid'],
    pooled: Object.fromEntries(cats.map((c) => [c, fen(a.pooled[c] + sign * b.pooled[c])])) as YearToDate['pooled'],
    seriousBase: fen(a.seriousBase + sign * b.seriousBase),
    seriousPaid: fen(a.seriousPaid + sign * b.seriousPaid),
    assistanceBase: fen(a.assistanceBase + sign * b.assistanceBase),
    assistancePaid: fen(a.assistancePaid + sign * b.assistancePaid),
  };
}

/** Pays banded ratios on the slice of a cumulative base that lies between `from` and `to`. */
function bandedPay(bands: Band[], deductible: number, from: number, to: number): number {
  let pay = 0;
  let lower = deductible;
  for (const b of bands) {
    const upper = b.upTo === null ? Infinity : b.upTo;
    const lo = Math.max(from, lower);
    const hi = Math.min(to, upper);
    if (hi > lo) pay += ratio(hi - lo, b.ratioBp);
    lower = upper;
    if (lower >= to) break;
  }
  return pay;
}

export function priceLine(l: SplitInput['lines'][number]): LineResult {
  if (!Number.isSafeInteger(l.unitPrice) || l.unitPrice < 0 || !Number.isSafeInteger(l.quantityMilli) || l.quantityMilli <= 0) {
    throw new PolicyError('POLICY_BAD_BILL', `line ${l.feedetlSn}: price and quantity must be positive integers`);
  }
  const fee = Math.round((l.unitPrice * l.quantityMilli) / 1000);
  if (l.chrgitmLv === '03')
    return {
      feedetlSn: l.feedetlSn,
      fee: fen(fee),
      fulamtOwnpay: fen(fee),
      overLimit: fen(0),
      preSelfPay: fen(0),
      inScope: fen(0),
      selfPayBp: 10000,
      chrgitmLv: l.chrgitmLv,
    };
  const overLimit = l.priceCap !== null && l.unitPrice > l.priceCap ? Math.round(((l.unitPrice - l.priceCap) * l.quantityMilli) / 1000) : 0;
  const selfPayBp = l.chrgitmLv === '02' ? l.selfPayBp : 0;
  const preSelfPay = ratio(fee - overLimit, selfPayBp);
  return {
    feedetlSn: l.feedetlSn,
    fee: fen(fee),
    fulamtOwnpay: fen(0),
    overLimit: fen(overLimit),
    preSelfPay,
    inScope: fen(fee - overLimit - preSelfPay),
    selfPayBp,
    chrgitmLv: l.chrgitmLv,
  };
}

export function split(input: SplitInput): Split {
  const { policy, medType, person, ytd } = input;
  const scheme = policy.schemes[person.insutype];
  const lines = input.lines.map(priceLine);
  const sum = (k: 'fee' | 'fulamtOwnpay' | 'overLimit' | 'preSelfPay' | 'inScope') => lines.reduce((s, l) => s + l[k], 0);
  const medfee = sum('fee');
  const inScope = sum('inScope');
  const delta = emptyYtd();
  const category = scheme.categoryOf[medType] ?? null;

  // 1. Pooled fund (统筹) with the deductible and the category's and the year's caps.
  let dedc = 0;
  let hifp = 0;
  let ratioBp = 0;
  const rule = category ? scheme.pooling[category] : undefined;
  if (category && rule) {
    const paidDedc = rule.deductiblePer === 'admission' && input.newAdmission ? 0 : ytd.deductiblePaid[category];
    dedc = Math.min(inScope, Math.max(0, rule.deductible - paidDedc));
    ratioBp = rule.ratioBp;
    let pay: number = ratio(inScope - dedc, rule.ratioBp);
    pay = Math.min(pay, Math.max(0, rule.annualCap - ytd.pooled[category]));
    if (scheme.poolAnnualCap !== null) {
      const pooledYear = ytd.pooled.outpatient + ytd.pooled.chronic + ytd.pooled.inpatient;
      pay = Math.min(pay, Math.max(0, scheme.poolAnnualCap - pooledYear));
    }
    hifp = pay;
    delta.deductiblePaid[category] = fen(rule.deductiblePer === 'admission' && input.newAdmission ? dedc - ytd.deductiblePaid[category] : dedc);
    delta.pooled[category] = fen(hifp);
  }

  // 2. Serious-illness insurance on the year's in-policy self-pay above its deductible.
  let serious = 0;
  const si = scheme.seriousIllness;
  const selfInScope = inScope - hifp;
  if (si && category && si.categories.includes(category)) {
    const from = ytd.seriousBase;
    const to = from + selfInScope;
    serious = Math.min(bandedPay(si.bands, si.deductible, from, to), Math.max(0, si.annualCap - ytd.seriousPaid));
    delta.seriousBase = fen(selfInScope);
    delta.seriousPaid = fen(serious);
  }

  // 3. Medical assistance (医疗救助) for people in an assistance category.
  let maf = 0;
  if (person.assistance && category) {
    const a = policy.assistance[person.assistance];
    const base = Math.max(0, selfInScope - serious);
    const from = ytd.assistanceBase;
    const eligible = Math.max(0, from + base - Math.max(from, a.deductible));
    maf = Math.min(ratio(Math.min(base, eligible), a.ratioBp), Math.max(0, a.annualCap - ytd.assistancePaid));
    delta.assistanceBase = fen(base);
    delta.assistancePaid = fen(maf);
  }

  const hifmi = si?.field === 'hifmi_pay' ? serious : 0;
  const hifob = si?.field === 'hifob_pay' ? serious : 0;
  const fund = hifp + hifmi + hifob + maf;
  const psnPart = medfee - fund;

  // 4. Personal account, then a family member's account (共济), then cash.
  let acct = 0;
  let mulaid = 0;
  const pa = scheme.personalAccount;
  if (input.useAccount && pa && pa.medTypes.includes(medType)) {
    const payable = pa.coversOwnPay ? psnPart : Math.max(0, psnPart - sum('fulamtOwnpay'));
    acct = Math.min(Math.max(0, person.accountBalance), payable);
    if (pa.mutualAid) mulaid = Math.min(Math.max(0, person.mutualAidBalance), payable - acct);
  }
  const cash = psnPart - acct - mulaid;

  return {
    medfeeSumamt: fen(medfee),
    fulamtOwnpayAmt: fen(sum('fulamtOwnpay')),
    overlmtSelfpay: fen(sum('overLimit')),
    preselfpayAmt: fen(sum('preSelfPay')),
    inscpScpAmt: fen(inScope),
    actPayDedc: fen(dedc),
    hifpPay: fen(hifp),
    poolPropSelfpay: ratioBp / 10000,
    cvlservPay: fen(0),
    hifesPay: fen(0),
    hifmiPay: fen(hifmi),
    hifobPay: fen(hifob),
    mafPay: fen(maf),
    othPay: fen(0),
    fundPaySumamt: fen(fund),
    psnPartAmt: fen(psnPart),
    acctPay: fen(acct),
    acctMulaidPay: fen(mulaid),
    psnCashPay: fen(cash),
    hospPartAmt: fen(0),
    balc: fen(person.accountBalance - acct),
    lines,
    delta,
    category,
  };
}

/** The region's policy in force on a date (yyyy-MM-dd). */
export function policyFor(policies: RegionPolicy[], admdvs: string, date: string): RegionPolicy {
  const exact = policies.filter((p) => p.admdvs === admdvs && p.effectiveFrom <= date && (p.effectiveTo === null || date <= p.effectiveTo));
  // A district (e.g. 440304) falls back to its city (440300).
  const city = exact.length
    ? exact
    : policies.filter((p) => p.admdvs === `${admdvs.slice(0, 4)}00` && p.effectiveFrom <= date && (p.effectiveTo === null || date <= p.effectiveTo));
  const found = city.sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0];
  if (!found) throw new PolicyError('POLICY_NOT_FOUND', `no policy for region ${admdvs} on ${date}`);
  return found;
}
