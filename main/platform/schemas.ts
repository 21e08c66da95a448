/**
 * The national platform's transactions as zod schemas, with field names, lengths and
 * dictionaries as the interface spells them (reference/platform-and-devices.md §1.5–§1.6). These
 * names stay at the wire boundary; inside E-Station typed domain objects carry the same facts.
 */
import { z } from 'zod';
import { SERVICE_MONEY_FIELDS, SERVICE_RECORDS } from './service-transactions';

const s = (max: number) => z.string().max(max);
const opt = (max: number) => z.string().max(max).optional();
const datetime = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'yyyy-MM-dd HH:mm:ss');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'yyyy-MM-dd');
/** Money on the wire: yuan with two decimals, as number (or a numeric string from some gateways). */
export const wireMoney = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(Number);
const money = wireMoney;
const flag = z.enum(['0', '1']);

export const certType = z.enum(['01', '02', '03']);
export const insutype = s(6);
export const medType = s(6);

export const setlinfoSchema = z
  .object({
    mdtrt_id: s(30),
    setl_id: s(30).optional(),
    psn_no: s(30),
    psn_name: s(50),
    psn_cert_type: s(6),
    certno: s(50),
    gend: s(6),
    naty: s(3),
    brdy: z.string(),
    age: z.number(),
    insutype: s(6),
    psn_type: s(6),
    cvlserv_flag: s(3),
    setl_time: z.string(),
    mdtrt_cert_type: s(3),
    med_type: s(6),
    medfee_sumamt: money,
    fulamt_ownpay_amt: money,
    overlmt_selfpay: money,
    preselfpay_amt: money,
    inscp_scp_amt: money,
    act_pay_dedc: money,
    hifp_pay: money,
    pool_prop_selfpay: z.number(),
    cvlserv_pay: money,
    hifes_pay: money,
    hifmi_pay: money,
    hifob_pay: money,
    maf_pay: money,
    oth_pay: money,
    fund_pay_sumamt: money,
    psn_part_amt: money,
    acct_pay: money,
    psn_cash_pay: money,
    hosp_part_amt: money,
    balc: money,
    acct_mulaid_pay: money,
    medins_setl_id: s(30),
    clr_optins: s(6),
    clr_way: s(6),
    clr_type: s(6),
  })
  .passthrough();

export const setldetailSchema = z
  .object({
    fund_pay_type: s(6),
    inscp_scp_amt: money,
    crt_payb_lmt_amt: money.nullable(),
    fund_payamt: money,
    fund_pay_type_name: s(200),
    setl_proc_info: s(4000).nullable(),
  })
  .passthrough();

export const detlcutinfoSchema = z
  .object({
    feedetl_sn: s(30),
    det_item_fee_sumamt: money,
    cnt: z.number(),
    pric: z.number(),
    pric_uplmt_amt: money.nullable(),
    selfpay_prop: z.number(),
    fulamt_ownpay_amt: money,
    overlmt_amt: money,
    preselfpay_amt: money,
    inscp_scp_amt: money,
    chrgitm_lv: s(3),
    med_chrgitm_type: s(6),
  })
  .passthrough();

const drugdetail = z
  .object({
    feedetl_sn: s(30),
    rxno: opt(30),
    rx_circ_flag: flag,
    fee_ocur_time: datetime,
    med_list_codg: s(50),
    medins_list_codg: s(150),
    det_item_fee_sumamt: z.number().nonnegative(),
    cnt: z.number().positive(),
    pric: z.number().nonnegative(),
    sin_dos_dscr: opt(200),
    used_frqu_dscr: opt(200),
    prd_days: z.number().optional(),
    medc_way_dscr: opt(200),
    bilg_dr_codg: opt(30),
    bilg_dr_name: opt(50),
    tcmdrug_used_way: opt(6),
    drug_trac_codg: z
      .string()
      .regex(/^\d{20}(,\d{20})*$/)
      .max(1100)
      .optional(),
  })
  .strict();

const druginfo = z
  .object({
    psn_no: s(30),
    mdtrt_cert_type: certType,
    mdtrt_cert_no: s(50),
    begntime: datetime,
    medfee_sumamt: z.number().nonnegative(),
    insutype,
    dise_codg: opt(30),
    dise_name: opt(500),
    acct_used_flag: flag,
    med_type: medType,
    expContent: opt(4000),
    /** 家庭共济: the account owner who pays and the credential they presented at the counter [K: province fields]. */
    mulaid_psn_no: opt(30),
    mulaid_cert_type: certType.optional(),
    mulaid_cert_no: opt(50),
  })
  .strict();

const settlementOutput = z.object({ setlinfo: setlinfoSchema, setldetail: z.array(setldetailSchema) }).passthrough();
const filingId = z.object({ result: z.object({ trt_dcla_detl_sn: s(30) }).passthrough() }).passthrough();
const nothing = z.union([z.null(), z.object({}).passthrough()]);
const cancel = z.object({ data: z.object({ trt_dcla_detl_sn: s(30), psn_no: s(30), memo: s(500) }).strict() }).strict();

export const transactions = {
  '9001': {
    input: z.object({ signIn: z.object({ opter_no: s(20), mac: s(20), ip: s(20) }).strict() }).strict(),
    output: z.object({ signinoutb: z.object({ sign_time: datetime, sign_no: s(30) }).passthrough() }).passthrough(),
  },
  '9002': {
    input: z.object({ signOut: z.object({ sign_no: s(30), opter_no: s(20) }).strict() }).strict(),
    output: z.object({ signoutoutb: z.object({ sign_time: datetime }).passthrough() }).passthrough(),
  },
  '1101': {
    input: z
      .object({
        data: z
          .object({
            mdtrt_cert_type: certType,
            mdtrt_cert_no: s(50),
            card_sn: opt(32),
            begntime: opt(19),
            psn_cert_type: s(6),
            certno: opt(50),
            psn_name: opt(50),
          })
          .strict()
          .refine((d) => d.mdtrt_cert_type !== '03' || !!d.card_sn, { message: 'card_sn is required with mdtrt_cert_type 03', path: ['card_sn'] }),
      })
      .strict(),
    output: z
      .object({
        baseinfo: z
          .object({ psn_no: s(30), psn_cert_type: s(6), certno: s(50), psn_name: s(50), gend: s(6), naty: s(3), brdy: date, age: z.number() })
          .passthrough(),
        insuinfo: z.array(
          z
            .object({
              balc: money,
              insutype: s(6),
              psn_type: s(6),
              psn_insu_stas: s(6),
              psn_insu_date: z.string().nullable(),
              paus_insu_date: z.string().nullable(),
              cvlserv_flag: s(3),
              insuplc_admdvs: s(6),
              emp_name: s(200).nullable(),
            })
            .passthrough(),
        ),
        idetinfo: z.array(
          z
            .object({ psn_idet_type: s(3), psn_type_lv: s(3).nullable(), memo: s(500).nullable(), begntime: z.string(), endtime: z.string().nullable() })
            .passthrough(),
        ),
      })
      .passthrough(),
  },
  '2101': {
    input: z.object({ druginfo, drugdetail: z.array(drugdetail).min(1) }).strict(),
    output: settlementOutput.extend({ detlcutinfo: z.array(detlcutinfoSchema) }),
  },
  '2102': {
    input: z.object({ druginfo: druginfo.extend({ invono: opt(20) }).strict(), drugdetail: z.array(drugdetail).min(1) }).strict(),
    output: settlementOutput.extend({ detlcutinfo: z.array(detlcutinfoSchema) }),
  },
  '2103': {
    input: z.object({ data: z.object({ setl_id: s(30), mdtrt_id: s(30), psn_no: s(30), expContent: opt(4000) }).strict() }).strict(),
    output: settlementOutput,
  },
  '2201': {
    input: z
      .object({
        data: z
          .object({
            psn_no: s(30),
            insutype,
            begntime: datetime,
            mdtrt_cert_type: certType,
            mdtrt_cert_no: s(50),
            ipt_otp_no: s(30),
            atddr_no: s(30),
            dr_name: s(50),
            dept_code: s(30),
            dept_name: s(100),
            caty: s(6),
          })
          .strict(),
      })
      .strict(),
    output: z.object({ data: z.object({ mdtrt_id: s(30), psn_no: s(30), ipt_otp_no: s(30) }).passthrough() }).passthrough(),
  },
  '2202': { input: z.object({ data: z.object({ psn_no: s(30), mdtrt_id: s(30), ipt_otp_no: s(30) }).strict() }).strict(), output: nothing },
  '2203': {
    input: z
      .object({
        mdtrtinfo: z
          .object({
            mdtrt_id: s(30),
            psn_no: s(30),
            med_type: medType,
            begntime: datetime,
            main_cond_dscr: opt(1000),
            dise_codg: opt(30),
            dise_name: opt(500),
            expContent: opt(4000),
          })
          .strict(),
        diseinfo: z.array(
          z
            .object({
              diag_type: s(3),
              diag_srt_no: s(2),
              diag_code: s(20),
              diag_name: s(100),
              diag_dept: s(50),
              dise_dor_no: s(30),
              dise_dor_name: s(50),
              diag_time: datetime,
              vali_flag: s(3),
            })
            .strict(),
        ),
      })
      .strict(),
    output: nothing,
  },
  '2204': {
    input: z
      .object({
        feedetail: z
          .array(
            z
              .object({
                feedetl_sn: s(30),
                mdtrt_id: s(30),
                psn_no: s(30),
                chrg_bchno: s(30),
                dise_codg: opt(30),
                rxno: opt(30),
                rx_circ_flag: flag,
                fee_ocur_time: datetime,
                med_list_codg: s(50),
                medins_list_codg: s(150),
                det_item_fee_sumamt: z.number().nonnegative(),
                cnt: z.number().positive(),
                pric: z.number().nonnegative(),
                bilg_dept_codg: s(30),
                bilg_dept_name: s(100),
                bilg_dr_codg: s(30),
                bilg_dr_name: s(50),
                hosp_appr_flag: s(3),
              })
              .strict(),
          )
          .min(1),
      })
      .strict(),
    output: z.object({ result: z.array(detlcutinfoSchema) }).passthrough(),
  },
  '2205': { input: z.object({ data: z.object({ mdtrt_id: s(30), chrg_bchno: s(30), psn_no: s(30) }).strict() }).strict(), output: nothing },
  '2206': {
    input: z
      .object({
        data: z
          .object({
            psn_no: s(30),
            mdtrt_cert_type: certType,
            mdtrt_cert_no: s(50),
            med_type: medType,
            medfee_sumamt: z.number().nonnegative(),
            psn_setlway: z.enum(['01', '02']),
            mdtrt_id: s(30),
            chrg_bchno: s(30),
            acct_used_flag: flag,
            insutype,
          })
          .strict(),
      })
      .strict(),
    output: settlementOutput,
  },
  '2207': {
    input: z
      .object({
        data: z
          .object({
            psn_no: s(30),
            mdtrt_cert_type: certType,
            mdtrt_cert_no: s(50),
            med_type: medType,
            medfee_sumamt: z.number().nonnegative(),
            psn_setlway: z.enum(['01', '02']),
            mdtrt_id: s(30),
            chrg_bchno: s(30),
            acct_used_flag: flag,
            insutype,
            invono: opt(20),
            fulamt_ownpay_amt: z.number(),
            overlmt_selfpay: z.number(),
            preselfpay_amt: z.number(),
            inscp_scp_amt: z.number(),
          })
          .strict(),
      })
      .strict(),
    output: settlementOutput,
  },
  '2208': {
    input: z.object({ data: z.object({ setl_id: s(30), mdtrt_id: s(30), psn_no: s(30), expContent: opt(4000) }).strict() }).strict(),
    output: settlementOutput,
  },
  '2601': {
    input: z.object({ data: z.object({ psn_no: s(30), omsgid: z.string().length(30), oinfno: z.string().length(4) }).strict() }).strict(),
    output: nothing,
  },
  '2501': {
    input: z
      .object({
        refmedin: z
          .object({
            psn_no: s(30),
            insutype,
            tel: opt(50),
            addr: opt(200),
            insu_optins: opt(6),
            diag_code: s(20),
            diag_name: s(100),
            dise_cond_dscr: opt(2000),
            reflin_medins_no: s(12),
            reflin_medins_name: s(200),
            mdtrtarea_admdvs: z.string().regex(/^\d{6}$/),
            hosp_agre_refl_flag: s(3),
            refl_type: s(30),
            refl_date: date,
            refl_rea: s(100),
            refl_opnn: s(200),
            begndate: date,
            enddate: date.optional(),
          })
          .strict(),
      })
      .strict(),
    output: filingId,
  },
  '2502': { input: cancel, output: nothing },
  '2503': {
    input: z
      .object({
        data: z
          .object({
            psn_no: s(30),
            insutype,
            opsp_dise_code: s(30),
            opsp_dise_name: s(300),
            tel: opt(50),
            addr: opt(200),
            insu_optins: s(6),
            ide_fixmedins_no: s(30),
            ide_fixmedins_name: s(200),
            hosp_ide_date: date,
            diag_dr_codg: s(30),
            diag_dr_name: s(50),
            begndate: date,
            enddate: date.optional(),
          })
          .strict(),
      })
      .strict(),
    output: filingId,
  },
  '2504': { input: cancel, output: nothing },
  '2505': {
    input: z
      .object({
        data: z
          .object({
            psn_no: s(30),
            tel: opt(50),
            addr: opt(200),
            biz_appy_type: s(3),
            begndate: date,
            enddate: date.optional(),
            fix_srt_no: s(3),
            fixmedins_code: s(12),
            fixmedins_name: s(200),
            memo: opt(500),
          })
          .strict(),
      })
      .strict(),
    output: filingId,
  },
  '2506': { input: cancel, output: nothing },
  '5201': {
    input: z.object({ data: z.object({ psn_no: s(30), begntime: datetime, endtime: datetime, med_type: opt(6), mdtrt_id: opt(30) }).strict() }).strict(),
    output: z
      .object({
        mdtrtinfo: z.array(
          z
            .object({
              mdtrt_id: s(30),
              psn_no: s(30),
              med_type: s(6),
              begntime: z.string(),
              endtime: z.string().nullable(),
              fixmedins_code: s(30),
              fixmedins_name: s(200),
              dise_name: z.string().nullable(),
            })
            .passthrough(),
        ),
      })
      .passthrough(),
  },
  '5203': { input: z.object({ data: z.object({ psn_no: s(30), setl_id: s(30), mdtrt_id: s(30) }).strict() }).strict(), output: settlementOutput },
  '5204': {
    input: z.object({ data: z.object({ psn_no: s(30), setl_id: s(30), mdtrt_id: s(30) }).strict() }).strict(),
    output: z
      .object({
        feedetail: z.array(
          z.object({ feedetl_sn: s(30), med_list_codg: s(50), det_item_fee_sumamt: money, cnt: z.number(), pric: z.number(), chrgitm_lv: s(3) }).passthrough(),
        ),
      })
      .passthrough(),
  },
  '5205': {
    input: z.object({ data: z.object({ psn_no: s(30), begntime: datetime, endtime: datetime }).strict() }).strict(),
    output: z.object({ feedetail: z.array(z.object({}).passthrough()) }).passthrough(),
  },
  '5206': {
    input: z.object({ data: z.object({ psn_no: s(30), cum_ym: z.string().regex(/^\d{6}$/) }).strict() }).strict(),
    output: z
      .object({
        cuminfo: z.array(z.object({ insutype: s(6), year: z.union([z.string(), z.number()]), cum_ym: s(6), cum_type_code: s(30), cum: money }).passthrough()),
      })
      .passthrough(),
  },
  '5301': {
    input: z.object({ data: z.object({ psn_no: s(30) }).strict() }).strict(),
    output: z
      .object({
        feedetail: z.array(z.object({ opsp_dise_code: s(30), opsp_dise_name: s(300), begndate: z.string(), enddate: z.string().nullable() }).passthrough()),
      })
      .passthrough(),
  },
  '5302': {
    input: z.object({ data: z.object({ psn_no: s(30), biz_appy_type: s(3) }).strict() }).strict(),
    output: z
      .object({
        psnfixmedin: z.array(
          z
            .object({
              psn_no: s(30),
              insutype: s(6),
              fix_srt_no: s(3),
              fixmedins_code: s(30),
              fixmedins_name: s(200),
              begndate: z.string(),
              enddate: z.string().nullable(),
            })
            .passthrough(),
        ),
      })
      .passthrough(),
  },
  /** 明细审核事中分析服务 (事中审核): trig_scen 10 is a pharmacy purchase (购药划卡). */
  '3102': {
    input: z
      .object({
        data: z
          .object({
            syscode: s(20),
            task_id: s(40),
            trig_scen: z.enum(['6', '7', '10']),
            rule_ids: z.array(s(30)).optional(),
            patient_dtos: z
              .array(
                z
                  .object({
                    patn_id: s(30),
                    patn_name: s(50),
                    gend: s(6),
                    brdy: date,
                    poolarea: s(6),
                    curr_mdtrt_id: s(40),
                    fsi_encounter_dtos: z
                      .array(
                        z
                          .object({
                            mdtrt_id: s(40),
                            medins_id: s(30),
                            medins_name: s(200),
                            med_type: s(6),
                            insutype: s(6),
                            medfee_sumamt: money,
                            fsi_diagnose_dtos: z.array(z.object({ dise_codg: s(30), dise_name: s(300) }).strict()),
                            fsi_order_dtos: z
                              .array(
                                z
                                  .object({
                                    rx_id: s(40),
                                    hilist_code: s(50),
                                    hilist_name: s(200),
                                    cnt: z.number().positive(),
                                    pric: money,
                                    sumamt: money,
                                    drug_trac_codg: z.string().max(1100).optional(),
                                  })
                                  .strict(),
                              )
                              .min(1)
                              .max(100),
                          })
                          .strict(),
                      )
                      .length(1),
                  })
                  .strict(),
              )
              .length(1),
          })
          .strict(),
      })
      .strict(),
    output: z
      .object({
        result: z.array(
          z
            .object({
              jr_id: s(60),
              rule_id: s(30),
              rule_name: s(200),
              vola_cont: s(1000),
              vola_amt: money,
              sev_deg: s(6),
              vola_evid: s(1000).nullable(),
              judge_result_detail_dtos: z.array(z.object({ jrd_id: s(60), rx_id: s(40), vola_item_type: s(3), vola_amt: money }).passthrough()),
            })
            .passthrough(),
        ),
      })
      .passthrough(),
  },
  /** 事前事中服务反馈服务: what the pharmacy did about each warning (1 继续执行 with a reason, 2 返回修改). */
  '3103': {
    input: z
      .object({
        data: z
          .object({
            warn_type: z.enum(['1', '2']),
            warns: z
              .array(z.object({ warn_rslt_id: s(60), dspo_way: z.enum(['1', '2']), dspo_way_rea: z.string().max(500).optional() }).strict())
              .min(1)
              .max(100),
          })
          .strict(),
      })
      .strict(),
    output: z.object({}).passthrough(),
  },
  '3201': {
    input: z
      .object({
        data: z
          .object({
            insutype,
            clr_type: s(30),
            setl_optins: s(6),
            stmt_begndate: date,
            stmt_enddate: date,
            medfee_sumamt: z.number(),
            fund_pay_sumamt: z.number(),
            acct_pay: z.number(),
            fixmedins_setl_cnt: z.number().int().nonnegative(),
            refd_setl_flag: flag.optional(),
          })
          .strict(),
      })
      .strict(),
    output: z.object({ stmtinfo: z.object({ setl_optins: s(6), stmt_rslt: s(6), stmt_rslt_dscr: s(200) }).passthrough() }).passthrough(),
  },
  '3202': {
    input: z
      .object({
        data: z
          .object({
            setl_optins: s(6),
            file_qury_no: s(30),
            stmt_begndate: date,
            stmt_enddate: date,
            medfee_sumamt: z.number(),
            fund_pay_sumamt: z.number(),
            cash_payamt: z.number(),
            fixmedins_setl_cnt: z.number().int().nonnegative(),
          })
          .strict(),
      })
      .strict(),
    output: z.object({ fileinfo: z.object({ file_qury_no: s(30), filename: s(200), dld_endtime: z.string() }).passthrough() }).passthrough(),
  },
  '9101': {
    input: z
      .object({
        fsUploadIn: z.object({ in: z.union([z.string(), z.array(z.number().int().min(-128).max(255))]), filename: s(200), fixmedins_code: s(30) }).strict(),
      })
      .strict(),
    output: z.object({ file_qury_no: s(30), filename: s(200), fixmedins_code: s(30), dld_endtime: z.string() }).passthrough(),
  },
  '9102': {
    input: z.object({ fsDownloadIn: z.object({ file_qury_no: s(30), filename: s(200), fixmedins_code: s(30) }).strict() }).strict(),
    output: z.instanceof(Buffer),
  },
  '1312': {
    input: z
      .object({
        data: z
          .object({
            query_date: date,
            hilist_code: opt(30),
            insu_admdvs: opt(6),
            begndate: opt(10),
            hilist_name: opt(200),
            updt_time: datetime,
            page_num: z.number().int().positive(),
            page_size: z.number().int().positive().max(1000),
          })
          .strict(),
      })
      .strict(),
    output: z
      .object({
        pageNum: z.number().int(),
        pageSize: z.number().int(),
        size: z.number().int(),
        startRow: z.number().int(),
        firstPage: z.number().int().optional(),
        lastPage: z.number().int().optional(),
        recordCounts: z.number().int(),
        pages: z.number().int(),
        data: z.array(z.object({ hilist_code: s(30), hilist_name: s(200), chrgitm_lv: s(3).optional() }).passthrough()),
      })
      .passthrough(),
  },
  /*
   * Provincial extension transactions (X prefix). The national interface has no resident premium
   * payment, contribution history or family-account binding; provinces add them to their own
   * gateway under local codes. These are E-Station's shapes for them, spoken by the simulator;
   * a deployment maps them to its province's codes.
   */
  /** 缴费记录查询: contributions by year. */
  X5401: {
    input: z.object({ data: z.object({ psn_no: s(30), begn_year: z.string().regex(/^\d{4}$/), end_year: z.string().regex(/^\d{4}$/) }).strict() }).strict(),
    output: z
      .object({ contribution: z.array(z.object({ year: s(4), insutype: s(6), amount: money, paid_at: z.string(), channel: s(30) }).passthrough()) })
      .passthrough(),
  },
  /**
   * 文书签章: the platform signs a document the terminal prints (canonical JSON, main/documents);
   * the terminal holds no signing key. A query: signing the same document twice changes nothing.
   */
  X9301: {
    input: z.object({ data: z.object({ doc: s(2000) }).strict() }).strict(),
    output: z
      .object({ sign: z.object({ signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/), key_id: z.string().regex(/^[A-Za-z0-9_-]{8}$/) }).passthrough() })
      .passthrough(),
  },
  /** 城乡居民缴费下单: a payment order for a year's premium, paid by scanning its QR code. Idempotent on out_order_no. */
  X2701: {
    input: z.object({ data: z.object({ psn_no: s(30), year: z.string().regex(/^\d{4}$/), out_order_no: s(40) }).strict() }).strict(),
    output: z
      .object({ order: z.object({ order_no: s(40), out_order_no: s(40), amount: money, pay_url: z.string().max(500), expire_time: datetime }).passthrough() })
      .passthrough(),
  },
  /** 缴费订单查询 */
  X2702: {
    input: z.object({ data: z.object({ out_order_no: s(40) }).strict() }).strict(),
    output: z
      .object({
        order: z
          .object({
            order_no: s(40),
            out_order_no: s(40),
            amount: money,
            pay_url: z.string().max(500),
            expire_time: datetime,
            state: z.enum(['unpaid', 'paid', 'expired']),
            paid_at: z.string().nullable(),
          })
          .passthrough(),
      })
      .passthrough(),
  },
  /** 亲情账户绑定: the owner lets a family member use their personal account; the member proves who they are with their own e-voucher token. */
  X2801: {
    input: z
      .object({
        data: z
          .object({
            psn_no: s(30),
            member_cert_type: certType,
            member_cert_no: s(600),
            relation: s(3),
            /** The child's name, checked against the platform's record in the guardian path. */
            member_name: opt(50),
            /** 户口簿户号: a child under 16 bound by the guardian, not in person. */
            hsreg_no: z
              .string()
              .regex(/^\d{9,18}$/)
              .optional(),
          })
          .strict(),
      })
      .strict(),
    output: z.object({ result: z.object({ member_psn_no: s(30), member_name: s(50) }).passthrough() }).passthrough(),
  },
  /** 亲情账户解绑 */
  X2802: {
    input: z.object({ data: z.object({ psn_no: s(30), member_psn_no: s(30) }).strict() }).strict(),
    output: z.object({}).passthrough(),
  },
  /** 亲情账户查询: the members bound to an owner. */
  X5801: {
    input: z.object({ data: z.object({ psn_no: s(30) }).strict() }).strict(),
    output: z
      .object({ member: z.array(z.object({ psn_no: s(30), psn_name: s(50), certno: s(50), relation: s(3), bind_time: z.string() }).passthrough()) })
      .passthrough(),
  },
  /**
   * 个人信息授权: the person (or a child's guardian, naming the child) lets a third party read
   * chosen items for a purpose, in a period, a number of times (main/kiosk/authorisation).
   * `auth_ref` is the id main issued: the platform answers once per auth_ref.
   */
  X2901: {
    input: z
      .object({
        data: z
          .object({
            psn_no: s(30),
            auth_ref: s(40),
            grantee_code: s(30),
            grantee_name: s(200),
            purpose: s(3),
            items: z
              .string()
              .regex(/^[a-z]+(,[a-z]+)*$/)
              .max(100),
            med_types: z
              .string()
              .regex(/^\d{2,4}(,\d{2,4})*$/)
              .max(60)
              .optional(),
            begndate: date,
            enddate: date,
            day_lmt: z.number().int().positive().optional(),
            total_lmt: z.number().int().positive().optional(),
            agre_ver: s(20),
            agre_hash: z.string().regex(/^[0-9a-f]{64}$/),
            verify_way: z.enum(['face', 'card-pin']),
            ward_certno: opt(18),
            ward_name: opt(50),
          })
          .strict(),
      })
      .strict(),
    output: z.object({ result: z.object({ auth_sn: s(30) }).passthrough() }).passthrough(),
  },
  /** 撤销授权: effective at once, for the person or the guardian who signed it. */
  X2902: {
    input: z.object({ data: z.object({ psn_no: s(30), auth_sn: s(30) }).strict() }).strict(),
    output: z.object({}).passthrough(),
  },
  /** 授权查询: the authorisations of a person and those they signed as a guardian, active or not. */
  X5901: {
    input: z.object({ data: z.object({ psn_no: s(30) }).strict() }).strict(),
    output: z
      .object({
        auth: z.array(
          z
            .object({
              auth_sn: s(30),
              auth_ref: s(40),
              psn_no: s(30),
              psn_name: s(50),
              signer: z.enum(['self', 'guardian']),
              grantee_code: s(30),
              grantee_name: s(200),
              purpose: s(3),
              items: z.string(),
              med_types: z.string(),
              begndate: date,
              enddate: date,
              day_lmt: z.number().int().nullable(),
              total_lmt: z.number().int().nullable(),
              used_cnt: z.number().int(),
              agre_ver: s(20),
              verify_way: s(10),
              crte_time: datetime,
              state: z.enum(['pending', 'active', 'revoked', 'expired']),
            })
            .passthrough(),
        ),
      })
      .passthrough(),
  },
  /** 授权预览: how many records of each item a third party would receive now. */
  X5903: {
    input: z.object({ data: z.object({ psn_no: s(30), items: s(200), med_types: opt(40) }).strict() }).strict(),
    output: z.object({ preview: z.array(z.object({ item: s(20), records: z.number().int().nonnegative() }).passthrough()) }).passthrough(),
  },
  /** 授权使用记录: every query a third party made under one authorisation, allowed or refused. */
  X5902: {
    input: z.object({ data: z.object({ psn_no: s(30), auth_sn: s(30) }).strict() }).strict(),
    output: z
      .object({
        use: z.array(
          z
            .object({
              trace_id: s(40),
              use_time: datetime,
              grantee_name: s(200),
              items: z.string(),
              med_types: z.string(),
              use_rslt: z.enum(['1', '0']),
              refuse_code: z.string().max(40).nullable(),
              refuse_reason: z.string().max(200).nullable(),
            })
            .passthrough(),
        ),
      })
      .passthrough(),
  },
} as const;

/**
 * Fields that carry money, in inputs and outputs alike. The national interface spells money the
 * same way in every transaction, so one list says which keys the client converts: fen inside
 * E-Station, yuan with two decimals on the wire. Nothing else converts money.
 */
export const MONEY_FIELDS: ReadonlySet<string> = new Set([
  'medfee_sumamt',
  'det_item_fee_sumamt',
  'pric',
  'pric_uplmt_amt',
  'fulamt_ownpay_amt',
  'overlmt_selfpay',
  'overlmt_amt',
  'preselfpay_amt',
  'inscp_scp_amt',
  'act_pay_dedc',
  'hifp_pay',
  'cvlserv_pay',
  'hifes_pay',
  'hifmi_pay',
  'hifob_pay',
  'maf_pay',
  'oth_pay',
  'fund_pay_sumamt',
  'psn_part_amt',
  'acct_pay',
  'psn_cash_pay',
  'hosp_part_amt',
  'balc',
  'acct_mulaid_pay',
  'fund_payamt',
  'crt_payb_lmt_amt',
  'cash_payamt',
  'cum',
  'amount',
  'sumamt',
  'vola_amt',
  ...SERVICE_MONEY_FIELDS,
]);

/** Walks a value and maps every money field with `f` (arrays and nested objects included). */
export function mapMoney(value: unknown, f: (v: number | string) => number): unknown {
  if (Array.isArray(value)) return value.map((v) => mapMoney(v, f));
  if (!value || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, MONEY_FIELDS.has(k) && (typeof v === 'number' || typeof v === 'string') ? f(v) : mapMoney(v, f)]),
  );
}

export type Infno = keyof typeof transactions;
/** A transaction's input as E-Station writes it: field names as the platform spells them, money in fen. */
export type TxInput<I extends Infno> = z.input<(typeof transactions)[I]['input']>;
/** A transaction's output as E-Station reads it: money in fen (see MONEY_FIELDS). */
export type TxOutput<I extends Infno> = z.output<(typeof transactions)[I]['output']>;

/** Transactions that move money and may be reversed with 2601 (reference §1.6.5). */
export const REVERSIBLE: readonly string[] = ['2102', '2103', '2207', '2208', '2304', '2305', '2401'];
/** Transactions that change money or records: never retried blindly. */
export const MONEY_OR_RECORD: readonly string[] = [
  '2101',
  '2102',
  '2103',
  '2201',
  '2202',
  '2204',
  '2205',
  '2207',
  '2208',
  '2501',
  '2502',
  '2503',
  '2504',
  '2505',
  '2506',
  '3103',
  '3201',
  '3202',
  'X2701',
  'X2801',
  'X2802',
  'X2901',
  'X2902',
  ...SERVICE_RECORDS,
];
