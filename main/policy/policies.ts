/**
 * Example policies built from the figures of the project's source documents: resident outpatient
 * 60% with no deductible and a 200 yuan yearly cap; employee outpatient pooling 75% with a 1,500
 * yuan cap; resident inpatient about 70% and employee about 85% within policy, resident pooled
 * fund cap 150,000 yuan a year; serious-illness deductible 20,000 yuan and 80% above it up to
 * 400,000 (region B: 13,000 yuan, 60–70%); medical assistance up to 50,000 yuan a year. Figures the
 * documents do not give (inpatient deductibles, chronic-disease rates) are marked illustrative.
 */
import { wholeYuan } from '../bridge/contract/money';
import type { AssistanceCategory, AssistanceRule, RegionPolicy, SchemePolicy } from './types';

const yuan = wholeYuan;

const assistance = (): Record<AssistanceCategory, AssistanceRule> => ({
  'extreme-poverty': { ratioBp: 10000, annualCap: yuan(50_000), deductible: yuan(0) },
  'minimum-living': { ratioBp: 7000, annualCap: yuan(50_000), deductible: yuan(0) },
  'low-income': { ratioBp: 6000, annualCap: yuan(50_000), deductible: yuan(1_000) },
  'poverty-relapse': { ratioBp: 6000, annualCap: yuan(50_000), deductible: yuan(1_000) },
});

function resident(serious: SchemePolicy['seriousIllness'], outpatientCap: number): SchemePolicy {
  return {
    insutype: '390',
    categoryOf: { '11': 'outpatient', '41': 'outpatient', '14': 'chronic', '21': 'inpatient' },
    pooling: {
      outpatient: { deductible: yuan(0), deductiblePer: 'year', ratioBp: 6000, annualCap: yuan(outpatientCap) },
      // Illustrative: the documents give no chronic-disease figures.
      chronic: { deductible: yuan(0), deductiblePer: 'year', ratioBp: 6500, annualCap: yuan(4_000) },
      // Illustrative deductible; the 70% and the 150,000 cap are from the documents.
      inpatient: { deductible: yuan(800), deductiblePer: 'admission', ratioBp: 7000, annualCap: yuan(150_000) },
    },
    poolAnnualCap: yuan(150_000),
    seriousIllness: serious,
    personalAccount: null,
  };
}

function employee(serious: SchemePolicy['seriousIllness']): SchemePolicy {
  return {
    insutype: '310',
    categoryOf: { '11': 'outpatient', '41': 'outpatient', '14': 'chronic', '21': 'inpatient' },
    pooling: {
      outpatient: { deductible: yuan(0), deductiblePer: 'year', ratioBp: 7500, annualCap: yuan(1_500) },
      chronic: { deductible: yuan(0), deductiblePer: 'year', ratioBp: 8000, annualCap: yuan(6_000) },
      inpatient: { deductible: yuan(1_000), deductiblePer: 'admission', ratioBp: 8500, annualCap: yuan(500_000) },
    },
    poolAnnualCap: null,
    seriousIllness: serious && { ...serious, field: 'hifob_pay' },
    personalAccount: { medTypes: ['11', '14', '21', '41'], coversOwnPay: true, mutualAid: true },
  };
}

const seriousA = {
  field: 'hifmi_pay' as const,
  deductible: yuan(20_000),
  bands: [{ upTo: null, ratioBp: 8000 }],
  annualCap: yuan(400_000),
  categories: ['inpatient' as const, 'chronic' as const],
};
const seriousB = {
  field: 'hifmi_pay' as const,
  deductible: yuan(13_000),
  bands: [
    { upTo: yuan(100_000), ratioBp: 6000 },
    { upTo: null, ratioBp: 7000 },
  ],
  annualCap: yuan(400_000),
  categories: ['inpatient' as const, 'chronic' as const],
};

export const POLICIES: RegionPolicy[] = [
  {
    admdvs: '440300',
    name: '示范市甲 (2025)',
    effectiveFrom: '2025-01-01',
    effectiveTo: '2025-12-31',
    schemes: { '390': resident(seriousA, 150), '310': employee(seriousA) },
    assistance: assistance(),
    summary: { 'zh-CN': ['2025 年居民门诊统筹年度限额 150 元。'], en: ['2025: resident outpatient pooling capped at 150 yuan a year.'] },
  },
  {
    admdvs: '440300',
    name: '示范市甲',
    effectiveFrom: '2026-01-01',
    effectiveTo: null,
    schemes: { '390': resident(seriousA, 200), '310': employee(seriousA) },
    assistance: assistance(),
    summary: {
      'zh-CN': [
        '城乡居民门诊：统筹基金支付 60%，不设起付线，每年最多支付 200 元。',
        '城乡居民住院：政策范围内支付约 70%，统筹基金每年最高 15 万元。',
        '职工门诊统筹：支付 75%，每年最多 1,500 元；个人账户可支付个人负担部分，并可家庭共济。',
        '职工住院：政策范围内支付约 85%。',
        '大病保险：一年内个人负担的政策范围内费用超过 2 万元的部分，报销 80%，每年最高 40 万元。',
        '医疗救助：特困、低保等困难群众再按比例救助，每年最高 5 万元。',
      ],
      en: [
        'Resident outpatient: the pooled fund pays 60%, no deductible, at most 200 yuan a year.',
        'Resident inpatient: about 70% within policy; the pooled fund pays at most 150,000 yuan a year.',
        'Employee outpatient pooling: 75%, at most 1,500 yuan a year; the personal account can pay your share and can be shared with family.',
        'Employee inpatient: about 85% within policy.',
        'Serious-illness insurance: 80% of in-policy self-pay above 20,000 yuan in a year, at most 400,000 yuan.',
        'Medical assistance: people in hardship categories get a further share, at most 50,000 yuan a year.',
      ],
    },
  },
  {
    admdvs: '320100',
    name: '示范市乙',
    effectiveFrom: '2026-01-01',
    effectiveTo: null,
    schemes: { '390': resident(seriousB, 200), '310': employee(seriousB) },
    assistance: assistance(),
    summary: {
      'zh-CN': ['大病保险起付线 1.3 万元：10 万元以内报销 60%，以上 70%，每年最高 40 万元。', '城乡居民门诊统筹支付 60%，每年最多 200 元。'],
      en: [
        'Serious-illness insurance from 13,000 yuan: 60% up to 100,000, 70% above, at most 400,000 yuan a year.',
        'Resident outpatient pooling pays 60%, at most 200 yuan a year.',
      ],
    },
  },
];
