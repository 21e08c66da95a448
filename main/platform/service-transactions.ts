/**
 * The transactions the kiosk's service catalogue uses beyond the core interface (schemas.ts):
 * national ones the reference names (2001 待遇享受状态, 5303 在院信息, 2507 意外伤害备案) and the
 * provincial 经办 extensions (X codes; README lists them). Each has strict input and output
 * schemas, like the core ones; applications carry `appl_ref`, the reference main issued, so an
 * unknown outcome is settled by finding it in X5601 (办件进度) instead of filing twice.
 */
import { z } from 'zod';

const s = (max: number) => z.string().max(max);
const opt = (max: number) => z.string().max(max).optional();
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'yyyy-MM-dd');
const datetime = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'yyyy-MM-dd HH:mm:ss');
const money = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(Number);
const flag = z.enum(['0', '1']);
const phone = z.string().regex(/^1[3-9]\d{9}$/);

const applied = z.object({ result: z.object({ appl_sn: s(30) }).passthrough() }).passthrough();
const confirm = { infno: 'X5601', list: 'appl', refKey: 'appl_ref' } as const;

/** An application to the 经办 system: psn_no, the reference main issued, and its own fields. */
function application<F extends z.ZodRawShape>(fields: F) {
  return {
    input: z.object({ data: z.object({ psn_no: s(30), appl_ref: s(30), ...fields }).strict() }).strict(),
    output: applied,
    record: true,
    confirm,
  } as const;
}

const agent = {
  agnter_name: opt(50),
  agnter_cert_type: opt(6),
  agnter_certno: opt(50),
  agnter_tel: opt(30),
  agnter_rlts: opt(6),
};

const byPerson = z.object({ data: z.object({ psn_no: s(30) }).strict() }).strict();

export const SERVICE_TRANSACTIONS = {
  '2001': {
    input: z.object({ data: z.object({ psn_no: s(30), insutype: s(6), med_type: s(6), begntime: datetime }).strict() }).strict(),
    output: z
      .object({ trtinfo: z.array(z.object({ fund_pay_type: s(6), trt_enjymnt_flag: flag, trt_chk_rslt: z.string().max(500).nullable() }).passthrough()) })
      .passthrough(),
    record: false,
  },
  '5303': {
    input: byPerson,
    output: z
      .object({ iptinfo: z.array(z.object({ mdtrt_id: s(30), fixmedins_name: s(200), begntime: z.string(), dise_name: z.string().nullable() }).passthrough()) })
      .passthrough(),
    record: false,
  },
  X5301: {
    input: byPerson,
    output: z
      .object({
        outappy: z.array(
          z.object({ appl_sn: s(30), rloc_rea: s(3), rloc_admdvs: s(6), begndate: date, enddate: date.nullable(), appl_stas: s(3) }).passthrough(),
        ),
      })
      .passthrough(),
    record: false,
  },
  /** 转院备案查询 (national 5304): referrals whose start falls in the period, with their validity. */
  '5304': {
    input: z.object({ data: z.object({ psn_no: s(30), begntime: datetime, endtime: datetime }).strict() }).strict(),
    output: z
      .object({
        refmedin: z.array(
          z
            .object({
              trt_dcla_detl_sn: s(30),
              reflin_medins_name: z.string().max(200).nullable(),
              mdtrtarea_admdvs: z.string().max(6).nullable(),
              begndate: date,
              enddate: date.nullable(),
              vali_flag: flag,
            })
            .passthrough(),
        ),
      })
      .passthrough(),
    record: false,
  },
  /** 家庭共济关系查询: whom the person's personal account pays for, and earlier bindings. */
  X5803: {
    input: byPerson,
    output: z
      .object({
        mulaid: z.array(z.object({ psn_name: s(50), certno: s(50), relation: s(3), begndate: date, enddate: date.nullable(), vali_flag: flag }).passthrough()),
      })
      .passthrough(),
    record: false,
  },
  /** 共济支付记录: what the person's account paid for family members in a year (stas 1 paid, 2 given back by a refund). */
  X5805: {
    input: z.object({ data: z.object({ psn_no: s(30), year: z.string().regex(/^\d{4}$/) }).strict() }).strict(),
    output: z
      .object({
        mulaid: z.array(z.object({ setl_time: z.string(), psn_name: s(50), certno: s(50), amount: money, stas: z.enum(['1', '2']) }).passthrough()),
      })
      .passthrough(),
    record: false,
  },
  X5601: {
    input: byPerson,
    output: z
      .object({
        appl: z.array(
          z.object({ appl_sn: s(30), appl_ref: s(30), appl_type: s(6), appl_time: z.string(), appl_stas: s(3), stas_desc: z.string().max(200) }).passthrough(),
        ),
      })
      .passthrough(),
    record: false,
  },
  X5402: {
    input: z.object({ data: z.object({ psn_no: s(30), year: z.string().regex(/^\d{4}$/) }).strict() }).strict(),
    output: z
      .object({ idet: z.object({ psn_idet_type: s(6), full_amt: money, subsidy_amt: money, payable_amt: money, year: s(4) }).passthrough() })
      .passthrough(),
    record: false,
  },
  X5403: {
    input: z.object({ data: z.object({ psn_no: s(30), year: z.string().regex(/^\d{4}$/) }).strict() }).strict(),
    output: z
      .object({ acctdetail: z.array(z.object({ date: date, io_type: s(3), amount: money, balc: money, memo: z.string().max(100) }).passthrough()) })
      .passthrough(),
    record: false,
  },
  X1901: {
    input: z.object({ data: z.object({ regn_code: opt(6), medins_lv: opt(3), keyword: opt(50) }).strict() }).strict(),
    output: z
      .object({
        medins: z.array(
          z.object({ medins_code: s(30), medins_name: s(200), regn_code: s(6), medins_lv: s(3), addr: s(200), out_med_open_flag: flag }).passthrough(),
        ),
      })
      .passthrough(),
    record: false,
  },
  X1902: {
    input: z.object({ data: z.object({ regn_code: opt(6), keyword: opt(50) }).strict() }).strict(),
    output: z
      .object({
        phac: z.array(z.object({ phac_code: s(30), phac_name: s(200), regn_code: s(6), addr: s(200), ec_flag: flag, out_med_flag: flag }).passthrough()),
      })
      .passthrough(),
    record: false,
  },
  X1903: {
    input: z.object({ data: z.object({ keyword: s(50) }).strict() }).strict(),
    output: z
      .object({
        drug: z.array(
          z
            .object({
              med_list_codg: s(50),
              drug_name: s(200),
              spec: s(100),
              chrgitm_lv: s(3),
              selfpay_prop: z.number().min(0).max(1),
              lmt_used_flag: flag,
              lmt_used_scp: z.string().max(500).nullable(),
            })
            .passthrough(),
        ),
      })
      .passthrough(),
    record: false,
  },
  X1904: {
    input: z.object({ data: z.object({ list_type: z.enum(['item', 'consumable', 'disease']), keyword: opt(50) }).strict() }).strict(),
    output: z
      .object({ list: z.array(z.object({ list_codg: s(50), list_name: s(200), chrgitm_lv: s(3).nullable(), memo: z.string().max(200) }).passthrough()) })
      .passthrough(),
    record: false,
  },
  X2101: application({ certno: s(18), psn_name: s(50), tel: phone, addr: s(200), insutype: s(6), insu_admdvs: s(6) }),
  X2102: application({
    baby_name: s(50),
    baby_certno: opt(18),
    birth_cert_no: s(30),
    baby_gend: s(1),
    baby_brdy: date,
    guardian_rlts: s(6),
    tel: phone,
    insu_admdvs: s(6),
  }),
  X2103: application({ certno: s(18), psn_name: s(50), tel: phone, addr: s(200), insutype: s(6), begn_ym: z.string().regex(/^\d{6}$/) }),
  X2104: application({ tel: phone.optional(), addr: opt(200) }),
  X2401: application({
    insutype: s(6),
    tel: phone,
    insu_admdvs: s(6),
    rloc_admdvs: s(6),
    rloc_rea: s(3),
    resout_addr: opt(200),
    begndate: date,
    enddate: date.optional(),
    trafout_fixmedins_name: opt(200),
    psn_cmtm_flag: flag,
    ...agent,
  }),
  X2402: {
    input: z.object({ data: z.object({ psn_no: s(30), appl_ref: s(30), appl_sn: s(30), memo: s(200) }).strict() }).strict(),
    output: z.union([z.null(), z.object({}).passthrough()]),
    record: true,
    confirm,
  },
  X2403: application({ insutype: s(6), drug_name: s(100), fixmedins_name: s(200), diag_name: s(100), tel: phone }),
  '2507': application({
    insutype: s(6),
    tel: phone,
    insu_admdvs: s(6),
    fixmedins_name: s(200),
    trum_time: date,
    trum_site: s(200),
    trum_rea: s(500),
    third_party_flag: flag,
    ...agent,
  }),
  X2601: application({ insutype: s(6), manl_reim_rea: s(3), fixmedins_name: s(200), begndate: date, medfee_sumamt: money, bank_acct: s(30), tel: phone }),
  X2602: application({ insutype: s(6), out_admdvs: s(6), in_admdvs: s(6), tel: phone }),
  X2603: application({ insutype: s(6), matn_type: s(3), birth_date: date, fixmedins_name: s(200), spouse_insu_flag: flag, tel: phone }),
  X2604: application({ insutype: s(6), rescue_rea: s(300), tel: phone }),
  X2605: application({ insutype: s(6), disability_lv: s(3), care_addr: s(200), tel: phone, ...agent }),
  X2606: application({ report_type: s(3), target_name: s(200), content: s(1000), tel: phone.optional(), anonymous_flag: flag }),
  X2607: application({ tel: phone }),
  /** 个人账户代缴家人居民医保: moves money (the payer's personal account), once per appl_ref. */
  /** 家庭共济绑定 (action 1) / 解绑 (action 2): takes effect at once at the platform. */
  X2803: application({ action: z.enum(['1', '2']), member_certno: s(18), member_name: s(50), relation: s(3) }),
  X2609: application({ member_certno: s(18), member_name: s(50), relation: s(3), year: z.string().regex(/^\d{4}$/), amount: money }),
} as const;

export type ServiceInfno = keyof typeof SERVICE_TRANSACTIONS;

export interface ServiceTransactionSchemas {
  input: z.ZodType;
  output: z.ZodType;
  record: boolean;
  /** For a record: the query listing what is in place, and the key holding the request's reference. */
  confirm?: { infno: string; list: string; refKey: string };
}

export function isServiceInfno(infno: string): infno is ServiceInfno {
  return Object.hasOwn(SERVICE_TRANSACTIONS, infno);
}

/** Service transactions that change records: never retried blindly. */
export const SERVICE_RECORDS: readonly string[] = Object.entries(SERVICE_TRANSACTIONS)
  .filter(([, t]) => t.record)
  .map(([k]) => k);

/** Money fields of the service transactions, added to the client's one list. */
export const SERVICE_MONEY_FIELDS: readonly string[] = ['full_amt', 'subsidy_amt', 'payable_amt', 'paid_amt'];
