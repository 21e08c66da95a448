/**
 * 一站式 settlement in tiers: what the pooled fund (统筹基金), serious-illness insurance (大病保险,
 * or 大额医疗 for employees), medical assistance (医疗救助), other funds, the personal account,
 * a family member's account (共济) and cash each paid. Every screen and paper that shows a
 * settlement or an estimate shows these lines, and they add up to the total to the fen — checked
 * here, so a mismatch is an error, never a wrong paper.
 */
import { fen, type Fen } from '../bridge/contract/money';
import type { TierKey } from '../bridge/contract/contract';
import type { Split } from './types';

export type { TierKey };

export interface TierLine {
  key: TierKey;
  label: string;
  amount: Fen;
}

export interface TierAmounts {
  total: number;
  pooling: number;
  critical: number;
  assistance: number;
  otherFund: number;
  account: number;
  mutualAid: number;
  cash: number;
}

export const TIER_LABELS: Record<TierKey, string> = {
  pooling: '统筹基金',
  critical: '大病保险',
  assistance: '医疗救助',
  otherFund: '其他基金',
  account: '个人账户',
  mutualAid: '共济账户',
  cash: '现金',
};

/** Always shown, even at ¥0.00: a resident sees which tiers there are. */
const ALWAYS: readonly TierKey[] = ['pooling', 'critical', 'assistance', 'account', 'cash'];
const ORDER: readonly TierKey[] = ['pooling', 'critical', 'assistance', 'otherFund', 'account', 'mutualAid', 'cash'];

export class TierMismatchError extends Error {
  readonly code = 'SETTLEMENT_TIERS_MISMATCH';
}

export function tierLines(a: TierAmounts): TierLine[] {
  for (const k of ORDER)
    if (!Number.isInteger(a[k]) || a[k] < 0) throw new TierMismatchError(`${TIER_LABELS[k]} is not a whole, non-negative number of fen: ${a[k]}`);
  const sum = ORDER.reduce((s, k) => s + a[k], 0);
  if (sum !== a.total) throw new TierMismatchError(`tiers add up to ${sum} fen, the total is ${a.total}`);
  return ORDER.filter((k) => ALWAYS.includes(k) || a[k] !== 0).map((k) => ({ key: k, label: TIER_LABELS[k], amount: fen(a[k]) }));
}

/** From the policy engine's split (an estimate). */
export function tiersOfSplit(
  s: Pick<
    Split,
    'medfeeSumamt' | 'hifpPay' | 'hifmiPay' | 'hifobPay' | 'mafPay' | 'cvlservPay' | 'hifesPay' | 'othPay' | 'acctPay' | 'acctMulaidPay' | 'psnCashPay'
  >,
): TierLine[] {
  return tierLines({
    total: s.medfeeSumamt,
    pooling: s.hifpPay,
    critical: s.hifmiPay + s.hifobPay,
    assistance: s.mafPay,
    otherFund: s.cvlservPay + s.hifesPay + s.othPay,
    account: s.acctPay,
    mutualAid: s.acctMulaidPay,
    cash: s.psnCashPay,
  });
}

/** From a settlement answer of the platform (2207 / 5203 setlinfo), already in fen. */
export function tiersOfSetlinfo(s: {
  medfee_sumamt: number;
  hifp_pay: number;
  hifmi_pay: number;
  hifob_pay: number;
  maf_pay: number;
  cvlserv_pay: number;
  hifes_pay: number;
  oth_pay: number;
  acct_pay: number;
  acct_mulaid_pay?: number;
  psn_cash_pay: number;
}): TierLine[] {
  return tierLines({
    total: s.medfee_sumamt,
    pooling: s.hifp_pay,
    critical: s.hifmi_pay + s.hifob_pay,
    assistance: s.maf_pay,
    otherFund: s.cvlserv_pay + s.hifes_pay + s.oth_pay,
    account: s.acct_pay,
    mutualAid: s.acct_mulaid_pay ?? 0,
    cash: s.psn_cash_pay,
  });
}
