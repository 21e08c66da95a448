/**
 * The pharmacy settlement as an outbox item: its payload, and how it is turned into the 2101 and
 * 2102 inputs. Amounts are fen; the platform client turns them into yuan on the wire.
 */
import { fen, type Fen } from '../bridge/contract/money';
import { infTime } from '../platform/envelope';
import type { TxInput } from '../platform/schemas';
import { tierLines, type TierLine } from '../policy/tiers';

export interface SettlementPerson {
  psnNo: string;
  certType: '01' | '02' | '03';
  certNo: string;
  insutype: '310' | '390';
  insuplcAdmdvs: string;
  /** 家庭共济: the employee whose personal account pays this person's share, as they proved themselves at the counter. */
  mutualAid?: { psnNo: string; name: string; certType: '01' | '02' | '03'; certNo: string };
}

export interface SettlementLine {
  feedetlSn: string;
  listCode: string;
  name: string;
  unitPrice: Fen;
  quantityMilli: number;
  rxno?: string;
  /** For a prescription drug: the prescription it was dispensed against. */
  rx?: Prescription;
  /** 药品追溯码 of the boxes handed over. */
  traceCodes?: string[];
}

export interface Prescription {
  rxno: string;
  doctorCode: string;
  doctorName: string;
  /** 外购处方: written by a hospital for dispensing at this pharmacy (rx_circ_flag 1). */
  external: boolean;
}

export interface SplitSummary {
  medfee: Fen;
  fund: Fen;
  hifp: Fen;
  hifmi: Fen;
  hifob: Fen;
  maf: Fen;
  acct: Fen;
  mulaid: Fen;
  cash: Fen;
  balance: Fen | null;
}

/** The summary as 一站式 tiers (统筹基金, 大病保险, 医疗救助, 个人账户, 共济, 现金), adding up to the total. */
export function tiersOfSummary(s: SplitSummary): TierLine[] {
  return tierLines({
    total: s.medfee,
    pooling: s.hifp,
    critical: s.hifmi + s.hifob,
    assistance: s.maf,
    otherFund: s.fund - s.hifp - s.hifmi - s.hifob - s.maf,
    account: s.acct,
    mutualAid: s.mulaid,
    cash: s.cash,
  });
}

export interface SettlementPayload {
  checkoutId: string;
  person: SettlementPerson;
  lines: SettlementLine[];
  medType: '41' | '14';
  useAccount: boolean;
  /** What the customer was shown and paid in cash: the online pre-settlement, or the offline estimate. */
  deferred: null | { estimate: SplitSummary; cashCollected: Fen; takenAt: string };
  /** Taken while the platform was unreachable (先就医后结算). */
  offline: boolean;
  invono?: string;
}

/** 2103 for a settlement of this terminal. */
export interface RefundPayload {
  saleItemId: string;
  setlId: string;
  mdtrtId: string;
  psnNo: string;
  insuplcAdmdvs: string;
}

export interface SettlementResult {
  setlId: string;
  mdtrtId: string;
  msgid: string;
  split: SplitSummary;
  settledAt: string;
  /** Cash still to collect from the customer (deferred settlements that came out dearer, or were refused). */
  collect?: Fen;
  /** Cash collected beyond what the settlement asks (deferred settlements that came out cheaper). */
  refundDue?: Fen;
}

export function lineFee(l: SettlementLine): number {
  return Math.round((l.unitPrice * l.quantityMilli) / 1000);
}

export function pharmacyInput(p: SettlementPayload, nowMs: number): TxInput<'2101'> {
  const total = p.lines.reduce((s, l) => s + lineFee(l), 0);
  return {
    druginfo: {
      psn_no: p.person.psnNo,
      mdtrt_cert_type: p.person.certType,
      mdtrt_cert_no: p.person.certNo,
      begntime: infTime(nowMs),
      medfee_sumamt: total,
      insutype: p.person.insutype,
      acct_used_flag: p.useAccount ? '1' : '0',
      med_type: p.medType,
      ...(p.person.mutualAid
        ? { mulaid_psn_no: p.person.mutualAid.psnNo, mulaid_cert_type: p.person.mutualAid.certType, mulaid_cert_no: p.person.mutualAid.certNo }
        : {}),
    },
    drugdetail: p.lines.map((l) => ({
      feedetl_sn: l.feedetlSn,
      ...(l.rx ? { rxno: l.rx.rxno, bilg_dr_codg: l.rx.doctorCode, bilg_dr_name: l.rx.doctorName } : l.rxno ? { rxno: l.rxno } : {}),
      rx_circ_flag: l.rx?.external ? ('1' as const) : ('0' as const),
      fee_ocur_time: infTime(nowMs),
      med_list_codg: l.listCode,
      medins_list_codg: l.listCode,
      det_item_fee_sumamt: lineFee(l),
      cnt: l.quantityMilli / 1000,
      pric: l.unitPrice,
      // The boxes' 药品追溯码, comma-joined on the line [K: the simulated province's field; 3505 carries drug_trac_info].
      ...(l.traceCodes?.length ? { drug_trac_codg: l.traceCodes.join(',') } : {}),
    })),
  };
}

export function settleInput(p: SettlementPayload, nowMs: number): TxInput<'2102'> {
  const pre = pharmacyInput(p, nowMs);
  return { druginfo: { ...pre.druginfo, ...(p.invono ? { invono: p.invono } : {}) }, drugdetail: pre.drugdetail };
}

/** The platform's setlinfo (fen, as the client hands it over) to the summary the counter keeps. */
export function summaryOf(s: {
  medfee_sumamt: number;
  fund_pay_sumamt: number;
  hifp_pay: number;
  hifmi_pay: number;
  hifob_pay: number;
  maf_pay: number;
  acct_pay: number;
  acct_mulaid_pay: number;
  psn_cash_pay: number;
  balc: number;
}): SplitSummary {
  const f = (v: number) => fen(v);
  return {
    medfee: f(s.medfee_sumamt),
    fund: f(s.fund_pay_sumamt),
    hifp: f(s.hifp_pay),
    hifmi: f(s.hifmi_pay),
    hifob: f(s.hifob_pay),
    maf: f(s.maf_pay),
    acct: f(s.acct_pay),
    mulaid: f(s.acct_mulaid_pay),
    cash: f(s.psn_cash_pay),
    balance: f(s.balc),
  };
}
