/**
 * Policy as data. A region's rules for each insurance type, valid between two dates; the engine
 * reads them and the kiosk estimates with them (the simulated platform settles with its own copy,
 * fixtures/platform/settle, so that the two check each other). Money is integer
 * fen; ratios are basis points (7000 = 70%).
 */
import type { Fen } from '../bridge/contract/money';

export type Insutype = '310' | '390';
/** 11 普通门诊, 14 门诊慢特病, 21 普通住院, 41 定点药店购药 */
export type MedType = '11' | '14' | '21' | '41';
export type BenefitCategory = 'outpatient' | 'chronic' | 'inpatient';
/** 医疗救助 categories: 特困, 低保, 低边 (low-income margin), 返贫致贫 (relapse into poverty). */
export type AssistanceCategory = 'extreme-poverty' | 'minimum-living' | 'low-income' | 'poverty-relapse';

export interface Band {
  /** Applies to the cumulative amount up to this many fen (null: no upper end). */
  upTo: Fen | null;
  ratioBp: number;
}

export interface PoolingRule {
  /** 起付线 per year (outpatient, chronic) or per admission (inpatient). */
  deductible: Fen;
  deductiblePer: 'year' | 'admission';
  ratioBp: number;
  /** Yearly cap on what the pooled fund pays in this category. */
  annualCap: Fen;
}

export interface SchemePolicy {
  insutype: Insutype;
  /** Which benefit category each medical type settles under; absent: no pooling (cash or account only). */
  categoryOf: Partial<Record<MedType, BenefitCategory>>;
  pooling: Partial<Record<BenefitCategory, PoolingRule>>;
  /** Cap on the pooled fund across all categories in one year (resident pooled-fund cap). */
  poolAnnualCap: Fen | null;
  /** 大病保险 (residents: hifmi_pay) or 大额补助 (employees: hifob_pay). */
  seriousIllness: { field: 'hifmi_pay' | 'hifob_pay'; deductible: Fen; bands: Band[]; annualCap: Fen; categories: BenefitCategory[] } | null;
  /** Whether the personal account may pay, and for which medical types. */
  personalAccount: { medTypes: MedType[]; coversOwnPay: boolean; mutualAid: boolean } | null;
}

export interface AssistanceRule {
  ratioBp: number;
  annualCap: Fen;
  /** Assistance starts after this much yearly in-policy self-pay. */
  deductible: Fen;
}

export interface RegionPolicy {
  admdvs: string;
  name: string;
  /** yyyy-MM-dd, inclusive */
  effectiveFrom: string;
  effectiveTo: string | null;
  schemes: Record<Insutype, SchemePolicy>;
  assistance: Record<AssistanceCategory, AssistanceRule>;
  /** Plain-language summary lines for the kiosk's 政策查询 pages. */
  summary: { 'zh-CN': string[]; en: string[] };
}

/** One line of a bill. */
export interface BillLine {
  feedetlSn: string;
  /** 医保目录编码 */
  listCode: string;
  name: string;
  /** 1 甲类 (fully in policy), 2 乙类 (part self-paid first), 3 丙类 / 自费 (all own pay) */
  chrgitmLv: '01' | '02' | '03';
  /** Unit price in fen and quantity in thousandths (1 box = 1000) to keep money integral. */
  unitPrice: Fen;
  quantityMilli: number;
  /** 先行自付比例 for 乙类, basis points. */
  selfPayBp: number;
  /** 限价: the highest unit price the fund recognises (null: none). */
  priceCap: Fen | null;
}

/** What the fund has already paid or counted this year, per person and insurance type. */
export interface YearToDate {
  deductiblePaid: Record<BenefitCategory, Fen>;
  pooled: Record<BenefitCategory, Fen>;
  /** In-policy self-pay accumulated for serious-illness insurance. */
  seriousBase: Fen;
  seriousPaid: Fen;
  assistanceBase: Fen;
  assistancePaid: Fen;
}

export interface PersonBenefits {
  insutype: Insutype;
  assistance: AssistanceCategory | null;
  accountBalance: Fen;
  /** Balance a bound family member allows to be used (共济), if any. */
  mutualAidBalance: Fen;
}

export interface SplitInput {
  policy: RegionPolicy;
  medType: MedType;
  lines: BillLine[];
  person: PersonBenefits;
  ytd: YearToDate;
  useAccount: boolean;
  /** True for the first settlement of an admission (inpatient deductible). */
  newAdmission?: boolean;
}

export interface LineResult {
  feedetlSn: string;
  fee: Fen;
  fulamtOwnpay: Fen;
  overLimit: Fen;
  preSelfPay: Fen;
  inScope: Fen;
  selfPayBp: number;
  chrgitmLv: string;
}

export interface Split {
  medfeeSumamt: Fen;
  fulamtOwnpayAmt: Fen;
  overlmtSelfpay: Fen;
  preselfpayAmt: Fen;
  inscpScpAmt: Fen;
  actPayDedc: Fen;
  hifpPay: Fen;
  poolPropSelfpay: number;
  cvlservPay: Fen;
  hifesPay: Fen;
  hifmiPay: Fen;
  hifobPay: Fen;
  mafPay: Fen;
  othPay: Fen;
  fundPaySumamt: Fen;
  psnPartAmt: Fen;
  acctPay: Fen;
  acctMulaidPay: Fen;
  psnCashPay: Fen;
  hospPartAmt: Fen;
  balc: Fen;
  lines: LineResult[];
  /** How the year's accumulations move with this settlement; a reversal subtracts it. */
  delta: YearToDate;
  category: BenefitCategory | null;
}
