/**
 * Every transaction the terminal needs, over real HTTP on 127.0.0.1, through the client to the
 * simulator and back, with the envelope checked against the field table of the reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { RESIDENTS, residentByName } from '../../fixtures/people/residents';
import { CATALOGUE } from '../../fixtures/platform/catalogue';
import { buildEnvelope, infTime, MemoryMsgids, SqliteMsgids } from './envelope';
import { type PlatformClient, PlatformInputError } from './client';
import { clientFor, TEST_TERMINAL } from './testing';
import { mapMoney, setlinfoSchema } from './schemas';
import { fenToWire, yuanToFen } from '../bridge/contract/money';
import { csbHeaders, tifHeaders } from './signing';
import { readZip, writeZip } from './zip';
import { openDatabase } from '../store/database';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let sim: PlatformSimulator;
let client: PlatformClient;
beforeAll(async () => {
  sim = await startPlatformSimulator();
  client = clientFor(sim.url);
});
afterAll(async () => {
  await sim?.close();
});

const wang = residentByName('王建国');
const drug = (i: number, cnt = 1) => {
  const d = CATALOGUE[i]!;
  return {
    feedetl_sn: `L${i}`,
    rx_circ_flag: '0' as const,
    fee_ocur_time: infTime(Date.now()),
    med_list_codg: d.hilistCode,
    medins_list_codg: d.hilistCode,
    det_item_fee_sumamt: Math.round(d.price * cnt),
    cnt,
    pric: d.price,
  };
};
const druginfo = (p = wang, lines = [drug(0), drug(6, 2)]) => ({
  druginfo: {
    psn_no: p.psnNo,
    mdtrt_cert_type: '02' as const,
    mdtrt_cert_no: p.idNumber,
    begntime: infTime(Date.now()),
    medfee_sumamt: lines.reduce((s, l) => s + l.det_item_fee_sumamt, 0),
    insutype: p.insutype,
    acct_used_flag: '1' as const,
    med_type: '41',
  },
  drugdetail: lines,
});

describe('the request envelope against the reference field table (§1.2)', () => {
  it('has every field with its length and dictionary', () => {
    const msgid = new MemoryMsgids('P44030300001').next(Date.parse('2026-11-24T02:30:15Z'));
    expect(msgid.slice(0, 26)).toBe('P44030300001' + '20261124103015');
    const e = buildEnvelope(TEST_TERMINAL, '1101', msgid, Date.parse('2026-11-24T02:30:15Z'), '359754', { data: {} }, '320102');
    const limits: Record<string, number> = {
      infno: 4,
      msgid: 30,
      mdtrtarea_admvs: 6,
      insuplc_admdvs: 6,
      recer_sys_code: 10,
      dev_no: 100,
      dev_safe_info: 2000,
      cainfo: 1024,
      signtype: 10,
      infver: 6,
      opter_type: 3,
      opter: 30,
      opter_name: 50,
      inf_time: 19,
      fixmedins_code: 12,
      fixmedins_name: 200,
      sign_no: 30,
    };
    expect(Object.keys(e).sort()).toEqual([...Object.keys(limits), 'input'].sort());
    for (const [k, max] of Object.entries(limits)) expect((e as unknown as Record<string, string>)[k]!.length, k).toBeLessThanOrEqual(max);
    expect(e.msgid).toMatch(/^P44030300001\d{14}\d{4}$/);
    expect(e.inf_time).toBe('2026-11-24 10:30:15');
    expect(e.opter_type).toBe('2');
    expect(e.infver).toBe('V1.0');
    expect(e.insuplc_admdvs).toBe('320102');
  });

  it('keeps msgids unique across restarts through SQLite', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-msgid-')), 'db.sqlite');
    const t = Date.parse('2026-11-24T02:30:15Z');
    const a = new SqliteMsgids(openDatabase(file), 'P44030300001');
    const first = [a.next(t), a.next(t)];
    const b = new SqliteMsgids(openDatabase(file), 'P44030300001');
    expect(new Set([...first, b.next(t)]).size).toBe(3);
  });

  it('signs for the TIF gateway and for CSB exactly as specified', () => {
    const tif = tifHeaders('paas1', 's3cret', 1_700_000_000_123, 'n0nce');
    // Expected values computed independently (Python hashlib/hmac).
    expect(tif).toEqual({
      'x-tif-paasid': 'paas1',
      'x-tif-timestamp': '1700000000',
      'x-tif-nonce': 'n0nce',
      'x-tif-signature': '75c24ea5c620e454495d3e0382792e0d5712080aaccfa4bf3ae8626cdb577507',
    });
    const csb = csbHeaders({ accessKey: 'ak', secretKey: 'sk', apiName: 'callService', apiVersion: '1.0.0', timestampUnit: 'ms' }, 1_700_000_000_123);
    expect(csb._api_timestamp).toBe('1700000000123');
    expect(csb._api_signature).toBe('+kCQF+1WGj0uDg9DlICYO2I+Vp0=');
  });

  it('refuses an invalid input before sending anything', async () => {
    await expect(client.send('1101', { data: { mdtrt_cert_type: '03', mdtrt_cert_no: 'A1', psn_cert_type: '01' } })).rejects.toBeInstanceOf(PlatformInputError);
    await expect(client.send('2601', { data: { psn_no: '1', omsgid: 'short', oinfno: '2102' } })).rejects.toMatchObject({ code: 'PLATFORM_INPUT_INVALID' });
  });
});

describe('the golden settlement reply of the reference parses', () => {
  it('NT 2207 mock', () => {
    const golden = {
      setl_time: '2021-11-29 18:09:52',
      cvlserv_pay: 0,
      cvlserv_flag: '0',
      med_type: '11',
      brdy: '1986-10-04',
      naty: '01',
      psn_cash_pay: 0,
      certno: '130302198610041614',
      hifmi_pay: 0,
      psn_no: '13030011303013321217',
      act_pay_dedc: 4.29,
      mdtrt_cert_type: '02',
      balc: 1373.63,
      medins_setl_id: 'H13110200026202111291809520478',
      psn_cert_type: '01',
      acct_mulaid_pay: 0,
      clr_way: '1',
      hifob_pay: 0,
      oth_pay: 0,
      medfee_sumamt: 4.52,
      hifes_pay: 0,
      gend: '1',
      mdtrt_id: '300179916',
      acct_pay: 4.52,
      fund_pay_sumamt: 0,
      fulamt_ownpay_amt: 0,
      hosp_part_amt: 0,
      setl_id: '400125241',
      inscp_scp_amt: 4.29,
      insutype: '310',
      maf_pay: 0,
      psn_name: '雷贺姜',
      psn_part_amt: 4.52,
      clr_optins: '131199',
      pool_prop_selfpay: 0.0,
      psn_type: '1101',
      hifp_pay: 0,
      overlmt_selfpay: 0,
      preselfpay_amt: 0.23,
      age: 35.0,
      clr_type: '11',
    };
    // As the client hands it over: every amount in fen.
    const s = mapMoney(setlinfoSchema.parse(golden), yuanToFen) as ReturnType<typeof setlinfoSchema.parse>;
    expect(s).toMatchObject({ medfee_sumamt: 452, acct_pay: 452, balc: 137_363, act_pay_dedc: 429, preselfpay_amt: 23, pool_prop_selfpay: 0, age: 35 });
    expect(s.medfee_sumamt).toBe(s.fund_pay_sumamt + s.psn_part_amt);
    expect(s.psn_part_amt).toBe(s.acct_pay + s.psn_cash_pay);
  });
});

describe('every transaction against the simulator', () => {
  it('signs in, finds people by each certificate, decodes an e-voucher', async () => {
    expect(await client.ensureSignedIn()).toMatch(/^\d+$/);
    const byId = await client.query('1101', { data: { mdtrt_cert_type: '02', mdtrt_cert_no: wang.idNumber, psn_cert_type: '01' } });
    expect(byId.baseinfo).toMatchObject({ psn_no: wang.psnNo, psn_name: '王建国', certno: wang.idNumber, gend: '1' });
    expect(byId.insuinfo[0]).toMatchObject({ insutype: '310', insuplc_admdvs: '320102', balc: wang.balance });
    const byCard = await client.query('1101', {
      data: { mdtrt_cert_type: '03', mdtrt_cert_no: wang.ssCard.cardNumber, card_sn: wang.ssCard.cardSn, psn_cert_type: '01' },
    });
    expect(byCard.baseinfo.psn_no).toBe(wang.psnNo);
    const ec = await client.ecQuery(wang.ecQrCode);
    expect(ec).toMatchObject({ idNo: wang.idNumber, userName: '王建国', ecToken: wang.ecToken, insuOrg: '320102' });
    const byToken = await client.query('1101', { data: { mdtrt_cert_type: '01', mdtrt_cert_no: ec.ecToken, psn_cert_type: '01', certno: ec.idNo } });
    expect(byToken.baseinfo.psn_no).toBe(wang.psnNo);
    await expect(client.ecQuery('NOT-A-VOUCHER-0001')).rejects.toMatchObject({ code: 'EC_REFUSED' });
    await expect(
      client.query('1101', { data: { mdtrt_cert_type: '03', mdtrt_cert_no: wang.ssCard.cardNumber, card_sn: '0'.repeat(32), psn_cert_type: '01' } }),
    ).rejects.toMatchObject({ code: 'PLATFORM_BUSINESS_ERROR' });
  });

  it('pharmacy: pre-settles (2101), settles (2102), answers 5203/5204, cancels (2103)', async () => {
    const pre = await client.send('2101', druginfo());
    expect(pre.kind).toBe('ok');
    if (pre.kind !== 'ok') return;
    const s = pre.output.setlinfo;
    expect(s.setl_id).toBeUndefined();
    expect(s.medfee_sumamt).toBe(s.fund_pay_sumamt + s.psn_part_amt);
    const before = (sim.db.prepare('SELECT balance FROM person WHERE psn_no = ?').get(wang.psnNo) as { balance: number }).balance;
    const done = await client.send('2102', { ...druginfo(), druginfo: { ...druginfo().druginfo, invono: 'INV0001' } }, { insuplcAdmdvs: '320102' });
    expect(done.kind).toBe('ok');
    if (done.kind !== 'ok') return;
    const set = done.output.setlinfo;
    expect(set.setl_id).toMatch(/\d+/);
    expect(set.medins_setl_id).toBe(done.msgid);
    expect(set.fund_pay_sumamt).toBe(pre.output.setlinfo.fund_pay_sumamt);
    const after = (sim.db.prepare('SELECT balance FROM person WHERE psn_no = ?').get(wang.psnNo) as { balance: number }).balance;
    expect(before - after).toBe(set.acct_pay);
    expect(done.output.detlcutinfo).toHaveLength(2);
    const q = await client.query('5203', { data: { psn_no: wang.psnNo, setl_id: set.setl_id!, mdtrt_id: set.mdtrt_id } });
    expect(q.setlinfo.setl_id).toBe(set.setl_id);
    const lines = await client.query('5204', { data: { psn_no: wang.psnNo, setl_id: set.setl_id!, mdtrt_id: set.mdtrt_id } });
    expect(lines.feedetail.map((l) => l.med_list_codg)).toEqual([CATALOGUE[0]!.hilistCode, CATALOGUE[6]!.hilistCode]);
    const refund = await client.send('2103', { data: { setl_id: set.setl_id!, mdtrt_id: set.mdtrt_id, psn_no: wang.psnNo } });
    expect(refund.kind).toBe('ok');
    if (refund.kind === 'ok') expect(refund.output.setlinfo.medfee_sumamt).toBe(-set.medfee_sumamt);
    expect((sim.db.prepare('SELECT balance FROM person WHERE psn_no = ?').get(wang.psnNo) as { balance: number }).balance).toBe(before);
    const twice = await client.send('2103', { data: { setl_id: set.setl_id!, mdtrt_id: set.mdtrt_id, psn_no: wang.psnNo } });
    expect(twice.kind).toBe('business-error');
  });

  it('rejects a duplicate msgid with no side effect, and 2601 reverses exactly the reversible', async () => {
    const first = await client.send('2102', druginfo());
    expect(first.kind).toBe('ok');
    const count = () => (sim.db.prepare('SELECT COUNT(*) AS n FROM settlement').get() as { n: number }).n;
    const n = count();
    const dup = await client.send('2102', druginfo(), { msgid: first.msgid });
    expect(dup).toMatchObject({ kind: 'unknown', code: 'PLATFORM_SYSTEM_ERROR', message: '报文ID重复' });
    expect(count()).toBe(n);
    const balance = () => (sim.db.prepare('SELECT balance FROM person WHERE psn_no = ?').get(wang.psnNo) as { balance: number }).balance;
    const b = balance();
    const rev = await client.send('2601', { data: { psn_no: wang.psnNo, omsgid: first.msgid, oinfno: '2102' } });
    expect(rev.kind).toBe('ok');
    expect(balance()).toBe(b + (first.kind === 'ok' ? first.output.setlinfo.acct_pay : 0));
    expect((await client.send('2601', { data: { psn_no: wang.psnNo, omsgid: first.msgid, oinfno: '2102' } })).kind).toBe('ok');
    const pre = await client.send('2101', druginfo());
    const notReversible = await client.send('2601', { data: { psn_no: wang.psnNo, omsgid: pre.msgid, oinfno: '2101' } });
    expect(notReversible).toMatchObject({ kind: 'business-error', message: expect.stringContaining('不允许冲正') });
    const never = await client.send('2601', { data: { psn_no: wang.psnNo, omsgid: 'P44030300001202611240000009999', oinfno: '2102' } });
    expect(never).toMatchObject({ kind: 'business-error', message: expect.stringContaining('原交易不存在') });
  });

  it('outpatient: 2201 → 2203 → 2204 → 2206 → 2207, then 2208, 2205, 2202', async () => {
    const p = RESIDENTS.find((r) => r.insutype === '390' && !r.assistance)!;
    const now = infTime(Date.now());
    const reg = await client.send('2201', {
      data: {
        psn_no: p.psnNo,
        insutype: '390',
        begntime: now,
        mdtrt_cert_type: '02',
        mdtrt_cert_no: p.idNumber,
        ipt_otp_no: 'MZ0001',
        atddr_no: 'D001',
        dr_name: '李医生',
        dept_code: 'A03',
        dept_name: '内科',
        caty: 'A03',
      },
    });
    expect(reg.kind).toBe('ok');
    if (reg.kind !== 'ok') return;
    const mdtrt = reg.output.data.mdtrt_id;
    expect(
      (
        await client.send('2203', {
          mdtrtinfo: { mdtrt_id: mdtrt, psn_no: p.psnNo, med_type: '11', begntime: now, dise_codg: 'J06.900', dise_name: '急性上呼吸道感染' },
          diseinfo: [
            {
              diag_type: '1',
              diag_srt_no: '1',
              diag_code: 'J06.900',
              diag_name: '急性上呼吸道感染',
              diag_dept: '内科',
              dise_dor_no: 'D001',
              dise_dor_name: '李医生',
              diag_time: now,
              vali_flag: '1',
            },
          ],
        })
      ).kind,
    ).toBe('ok');
    const fee = (sn: string, i: number) => ({
      feedetl_sn: sn,
      mdtrt_id: mdtrt,
      psn_no: p.psnNo,
      chrg_bchno: 'B1',
      rx_circ_flag: '0' as const,
      fee_ocur_time: now,
      med_list_codg: CATALOGUE[i]!.hilistCode,
      medins_list_codg: CATALOGUE[i]!.hilistCode,
      det_item_fee_sumamt: CATALOGUE[i]!.price,
      cnt: 1,
      pric: CATALOGUE[i]!.price,
      bilg_dept_codg: 'A03',
      bilg_dept_name: '内科',
      bilg_dr_codg: 'D001',
      bilg_dr_name: '李医生',
      hosp_appr_flag: '1',
    });
    const up = await client.send('2204', { feedetail: [fee('F1', 0), fee('F2', 4)] });
    expect(up.kind === 'ok' && up.output.result.length).toBe(2);
    const total = CATALOGUE[0]!.price + CATALOGUE[4]!.price;
    const base = {
      psn_no: p.psnNo,
      mdtrt_cert_type: '02' as const,
      mdtrt_cert_no: p.idNumber,
      med_type: '11',
      medfee_sumamt: total,
      psn_setlway: '01' as const,
      mdtrt_id: mdtrt,
      chrg_bchno: 'B1',
      acct_used_flag: '0' as const,
      insutype: '390',
    };
    const pre = await client.send('2206', { data: base });
    expect(pre.kind).toBe('ok');
    if (pre.kind !== 'ok') return;
    expect(Math.abs(pre.output.setlinfo.hifp_pay - total * 0.6)).toBeLessThanOrEqual(1);
    const s = pre.output.setlinfo;
    const bad = await client.send('2207', {
      data: {
        ...base,
        fulamt_ownpay_amt: s.fulamt_ownpay_amt,
        overlmt_selfpay: s.overlmt_selfpay,
        preselfpay_amt: s.preselfpay_amt,
        inscp_scp_amt: s.inscp_scp_amt + 1,
      },
    });
    expect(bad.kind).toBe('business-error');
    const done = await client.send('2207', {
      data: {
        ...base,
        fulamt_ownpay_amt: s.fulamt_ownpay_amt,
        overlmt_selfpay: s.overlmt_selfpay,
        preselfpay_amt: s.preselfpay_amt,
        inscp_scp_amt: s.inscp_scp_amt,
      },
    });
    expect(done.kind).toBe('ok');
    if (done.kind !== 'ok') return;
    expect((await client.send('2202', { data: { psn_no: p.psnNo, mdtrt_id: mdtrt, ipt_otp_no: 'MZ0001' } })).kind).toBe('business-error');
    expect((await client.send('2208', { data: { setl_id: done.output.setlinfo.setl_id!, mdtrt_id: mdtrt, psn_no: p.psnNo } })).kind).toBe('ok');
    expect((await client.send('2205', { data: { mdtrt_id: mdtrt, chrg_bchno: '0000', psn_no: p.psnNo } })).kind).toBe('ok');
    expect((await client.send('2202', { data: { psn_no: p.psnNo, mdtrt_id: mdtrt, ipt_otp_no: 'MZ0001' } })).kind).toBe('ok');
    const visits = await client.query('5201', { data: { psn_no: p.psnNo, begntime: '2000-01-01 00:00:00', endtime: '2099-12-31 23:59:59' } });
    expect(visits.mdtrtinfo.some((v) => v.mdtrt_id === mdtrt)).toBe(false);
  });

  it('filings 2501/2502, 2503/2504, 2505/2506 and the queries 5301/5302/5205/5206', async () => {
    const p = wang;
    const today = infTime(Date.now()).slice(0, 10);
    const ref = await client.send('2501', {
      refmedin: {
        psn_no: p.psnNo,
        insutype: '310',
        diag_code: 'I10.x00',
        diag_name: '高血压',
        reflin_medins_no: 'H32010000001',
        reflin_medins_name: '南京市第一医院',
        mdtrtarea_admdvs: '320100',
        hosp_agre_refl_flag: '1',
        refl_type: '01',
        refl_date: today,
        refl_rea: '需上级医院诊治',
        refl_opnn: '同意转诊',
        begndate: today,
      },
    });
    expect(ref.kind === 'ok' && ref.output.result.trt_dcla_detl_sn).toMatch(/^ZY/);
    // 门诊慢特病备案 for 糖尿病, sent twice: the second is a duplicate filing.
    const diabetes = {
      data: {
        psn_no: p.psnNo,
        insutype: '310',
        opsp_dise_code: 'M01600',
        opsp_dise_name: '糖尿病',
        insu_optins: '320102',
        ide_fixmedins_no: 'H32010000001',
        ide_fixmedins_name: '南京市第一医院',
        hosp_ide_date: today,
        diag_dr_codg: 'D01',
        diag_dr_name: '王医生',
        begndate: today,
      },
    };
    const mb = await client.send('2503', diabetes);
    expect(mb.kind).toBe('ok');
    const again = await client.send('2503', diabetes);
    expect(again).toMatchObject({ kind: 'business-error', message: expect.stringContaining('重复备案') });
    const filed = await client.query('5301', { data: { psn_no: p.psnNo } });
    expect(filed.feedetail.map((f) => f.opsp_dise_name).sort()).toEqual(['糖尿病', '高血压']);
    const sn = mb.kind === 'ok' ? mb.output.result.trt_dcla_detl_sn : '';
    expect((await client.send('2504', { data: { trt_dcla_detl_sn: sn, psn_no: p.psnNo, memo: '本人申请撤销' } })).kind).toBe('ok');
    expect((await client.query('5301', { data: { psn_no: p.psnNo } })).feedetail).toHaveLength(1);
    const dd = await client.send('2505', {
      data: {
        psn_no: p.psnNo,
        biz_appy_type: '01',
        begndate: today,
        fix_srt_no: '1',
        fixmedins_code: 'H32010200002',
        fixmedins_name: '玄武区社区卫生服务中心',
      },
    });
    expect(dd.kind).toBe('ok');
    expect((await client.query('5302', { data: { psn_no: p.psnNo, biz_appy_type: '01' } })).psnfixmedin[0]).toMatchObject({ fixmedins_code: 'H32010200002' });
    expect(
      (await client.send('2506', { data: { trt_dcla_detl_sn: dd.kind === 'ok' ? dd.output.result.trt_dcla_detl_sn : '', psn_no: p.psnNo, memo: '变更定点' } }))
        .kind,
    ).toBe('ok');
    expect(
      (
        await client.send('2502', {
          data: { trt_dcla_detl_sn: ref.kind === 'ok' ? ref.output.result.trt_dcla_detl_sn : '', psn_no: p.psnNo, memo: '无需转院' },
        })
      ).kind,
    ).toBe('ok');
    expect((await client.query('5205', { data: { psn_no: p.psnNo, begntime: '2026-01-01 00:00:00', endtime: '2026-12-31 23:59:59' } })).feedetail).toEqual([]);
    const cum = await client.query('5206', { data: { psn_no: p.psnNo, cum_ym: infTime(Date.now()).slice(0, 7).replace('-', '') } });
    expect(cum.cuminfo.map((c) => c.cum_type_code)).toContain('C001');
  });

  it('reconciles: 3201 totals, 9101 upload, 3202 detail, 9102 result file', async () => {
    const today = infTime(Date.now()).slice(0, 10);
    const rows = sim.db
      .prepare("SELECT * FROM settlement WHERE fixmedins_code = ? AND clr_type = '41' AND insutype = '310' AND state IN ('settled','cancelled')")
      .all(TEST_TERMINAL.fixmedinsCode) as { split: string; refd_setl_flag: string; setl_id: string; mdtrt_id: string; psn_no: string }[];
    const sum = (k: string) => rows.reduce((s, r) => s + (r.refd_setl_flag === '1' ? -1 : 1) * (JSON.parse(r.split) as Record<string, number>)[k]!, 0);
    const ok = await client.send('3201', {
      data: {
        insutype: '310',
        clr_type: '41',
        setl_optins: '320102',
        stmt_begndate: today,
        stmt_enddate: today,
        medfee_sumamt: sum('medfeeSumamt'),
        fund_pay_sumamt: sum('fundPaySumamt'),
        acct_pay: sum('acctPay'),
        fixmedins_setl_cnt: rows.length,
      },
    });
    expect(ok.kind === 'ok' && ok.output.stmtinfo.stmt_rslt).toBe('0');
    const off = await client.send('3201', {
      data: {
        insutype: '310',
        clr_type: '41',
        setl_optins: '320102',
        stmt_begndate: today,
        stmt_enddate: today,
        medfee_sumamt: sum('medfeeSumamt') + 1,
        fund_pay_sumamt: sum('fundPaySumamt'),
        acct_pay: sum('acctPay'),
        fixmedins_setl_cnt: rows.length,
      },
    });
    expect(off.kind === 'ok' && off.output.stmtinfo.stmt_rslt).toBe('1');
    const all = sim.db
      .prepare("SELECT * FROM settlement WHERE fixmedins_code = ? AND state IN ('settled','cancelled') ORDER BY setl_id")
      .all(TEST_TERMINAL.fixmedinsCode) as typeof rows;
    const lines = all.slice(1).map((r) => {
      const a = JSON.parse(r.split) as Record<string, number>;
      const k = r.refd_setl_flag === '1' ? -1 : 1;
      return [
        r.setl_id,
        r.mdtrt_id,
        r.psn_no,
        fenToWire(k * a.medfeeSumamt!),
        fenToWire(k * a.fundPaySumamt!),
        fenToWire(k * a.acctPay!),
        r.refd_setl_flag,
      ].join('\t');
    });
    lines.push(['99999999', 'X', wang.psnNo, 1, 0, 1, '0'].join('\t'));
    const zip = writeZip([{ name: 'detail.txt', data: Buffer.from(lines.join('\n')) }]);
    const up = await client.send('9101', { fsUploadIn: { in: zip.toString('base64'), filename: 'detail.zip', fixmedins_code: TEST_TERMINAL.fixmedinsCode } });
    expect(up.kind).toBe('ok');
    if (up.kind !== 'ok') return;
    const det = await client.send('3202', {
      data: {
        setl_optins: '320102',
        file_qury_no: up.output.file_qury_no,
        stmt_begndate: today,
        stmt_enddate: today,
        medfee_sumamt: 0,
        fund_pay_sumamt: 0,
        cash_payamt: 0,
        fixmedins_setl_cnt: lines.length,
      },
    });
    expect(det.kind).toBe('ok');
    if (det.kind !== 'ok') return;
    const file = await client.send('9102', {
      fsDownloadIn: { file_qury_no: det.output.fileinfo.file_qury_no, filename: det.output.fileinfo.filename, fixmedins_code: TEST_TERMINAL.fixmedinsCode },
    });
    expect(file.kind).toBe('ok');
    if (file.kind !== 'ok') return;
    const result = readZip(file.output)[0]!
      .data.toString('utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(result.filter((r) => r[4] === '2').map((r) => r[2])).toEqual([all[0]!.setl_id]);
    expect(result.filter((r) => r[4] === '1').map((r) => r[2])).toEqual(['99999999']);
    expect(result.filter((r) => r[4] === '0')).toHaveLength(all.length - 1);
    // The centre's rows carry the msgid, which is how a terminal repairs what it never heard back.
    expect(result.find((r) => r[2] === all[0]!.setl_id)![3]).toMatch(/^P44030300001\d{18}$/);
  });

  it('pages the catalogue (1312) and signs out (9002)', async () => {
    const page1 = await client.query('1312', { data: { query_date: '2026-11-24', updt_time: '2000-01-01 00:00:00', page_num: 1, page_size: 8 } });
    expect(page1).toMatchObject({ pageNum: 1, pageSize: 8, recordCounts: CATALOGUE.length, pages: Math.ceil(CATALOGUE.length / 8) });
    const page3 = await client.query('1312', { data: { query_date: '2026-11-24', updt_time: '2000-01-01 00:00:00', page_num: 3, page_size: 8 } });
    expect(page3.data).toHaveLength(CATALOGUE.length - 16);
    await client.signOut();
    expect(client.signedIn).toBe(false);
  });
});
