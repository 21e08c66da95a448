/**
 * Tier amounts add up to the total in fen, for every split the policy engine can make: a seeded
 * property test over 5,000 random bills (drug classes, self-pay shares, price caps, quantities),
 * people (insurance type, assistance category, account balances), year-to-date positions and
 * visit types across every example policy; and hand-made mismatches are refused.
 */
import { describe, expect, it } from 'vitest';
import { prng } from '../../models/attacks';
import { fen } from '../bridge/contract/money';
import { emptyYtd, split } from './engine';
import { POLICIES } from './policies';
import { tierLines, tiersOfSplit, TierMismatchError } from './tiers';
import type { AssistanceCategory, MedType } from './types';

describe('settlement tiers', () => {
  it('add up to the total to the fen for 5,000 random splits, fund tiers to the fund total, none negative', () => {
    const rand = prng(20261202);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const seen = new Set<string>();
    for (let n = 0; n < 5000; n++) {
      const policy = pick(POLICIES);
      const medType = pick<MedType>(['11', '14', '21', '41']);
      const lines = Array.from({ length: int(1, 6) }, (_, i) => ({
        feedetlSn: String(i + 1),
        listCode: `X${i}`,
        name: `药品${i}`,
        chrgitmLv: pick(['01', '02', '03'] as const),
        unitPrice: fen(int(1, 2_000_000)),
        quantityMilli: int(1, 20) * 500,
        selfPayBp: pick([0, 500, 1000, 2000]),
        priceCap: rand() < 0.2 ? fen(int(1, 1_000_000)) : null,
      }));
      const ytd = emptyYtd();
      if (rand() < 0.5) {
        ytd.pooled.outpatient = fen(int(0, 500_000));
        ytd.pooled.inpatient = fen(int(0, 30_000_000));
        ytd.seriousBase = fen(int(0, 5_000_000));
        ytd.assistanceBase = fen(int(0, 1_000_000));
      }
      const s = split({
        policy,
        medType,
        lines,
        person: {
          insutype: pick(['310', '390'] as const),
          assistance: pick<AssistanceCategory | null>([null, null, 'extreme-poverty', 'minimum-living', 'low-income', 'poverty-relapse']),
          accountBalance: fen(rand() < 0.5 ? 0 : int(0, 500_000)),
          mutualAidBalance: fen(rand() < 0.7 ? 0 : int(0, 200_000)),
        },
        ytd,
        useAccount: rand() < 0.8,
        newAdmission: medType === '21',
      });
      const tiers = tiersOfSplit(s);
      expect(tiers.reduce((x, t) => x + t.amount, 0)).toBe(s.medfeeSumamt);
      expect(tiers.every((t) => Number.isInteger(t.amount) && t.amount >= 0)).toBe(true);
      const fund = tiers.filter((t) => ['pooling', 'critical', 'assistance', 'otherFund'].includes(t.key)).reduce((x, t) => x + t.amount, 0);
      expect(fund).toBe(s.fundPaySumamt);
      for (const t of tiers) if (t.amount > 0) seen.add(t.key);
    }
    // The run reached every tier at least once with money in it, so each was really summed.
    expect([...seen].sort()).toEqual(['account', 'assistance', 'cash', 'critical', 'mutualAid', 'pooling']);
  });

  it('always lists the five tiers a resident should see, 共济 only when it paid', () => {
    const lines = tierLines({ total: 1000, pooling: 600, critical: 0, assistance: 0, otherFund: 0, account: 0, mutualAid: 0, cash: 400 });
    expect(lines.map((l) => `${l.label} ${l.amount}`)).toEqual(['统筹基金 600', '大病保险 0', '医疗救助 0', '个人账户 0', '现金 400']);
  });

  it('refuses tiers that do not add up, negative or fractional amounts', () => {
    const ok = { total: 1000, pooling: 600, critical: 0, assistance: 0, otherFund: 0, account: 0, mutualAid: 0, cash: 400 };
    expect(() => tierLines({ ...ok, cash: 401 })).toThrow(TierMismatchError);
    expect(() => tierLines({ ...ok, pooling: 700, cash: 300, critical: -0 - 0, account: -100, otherFund: 100 })).toThrow(/not a whole, non-negative/);
    expect(() => tierLines({ ...ok, pooling: 599.5, cash: 400.5 })).toThrow(/not a whole/);
  });
});
