/**
 * The service catalogue end to end through the bridge dispatcher of a real app: real SQLite, the
 * embedded platform simulator over HTTP on 127.0.0.1, simulated card readers on PTYs. Each
 * declared service is opened, filled, submitted and its answer checked by name; bad input gets
 * the form's Chinese message; a ticket files once however often it is sent.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { residentByName, type SeedPerson } from '../../../fixtures/people/residents';
import { makeIdNumber } from '../../../fixtures/people/id-number';
import { waitUntil } from '../../ground/wait';
import { parseConfig } from '../../app/config';
import { createApp, type App } from '../../app/compose';
import type { ServiceFormView, ServiceListItemView, ServiceResultView } from '../../bridge/contract';
import { DECLARATIONS } from './declarations';
import { inconsistency } from './engine';
import { serviceDeclSchema } from './schema';

let app: App;

async function call<T = Record<string, unknown>>(channel: string, input: unknown): Promise<T> {
  const r = await app.dispatcher.dispatch(channel, input, { transport: 'local' });
  if (!r.ok) throw Object.assign(new Error(`${r.error.code}: ${r.error.message}`), { code: r.error.code, details: r.error.details });
  return r.value as T;
}

let cardIn = false;
async function identify(p: SeedPerson, verify = true): Promise<void> {
  if (cardIn) {
    // The reader must see the card go before the next one counts as a new card.
    const removed = once(app.devices, 'card-removed');
    await call('sim.device', { action: 'remove-ss-card' });
    await removed;
    cardIn = false;
  }
  await call('session.end', { reason: 'logout' });
  cardIn = true;
  await call('sim.device', {
    action: 'insert-ss-card',
    card: { cardSn: p.ssCard.cardSn, cardNumber: p.ssCard.cardNumber, idNumber: p.idNumber, name: p.name, gender: p.gender, pin: p.ssCard.pin },
  });
  await waitUntil(async () => (await call<{ session: { maskedName?: string } | null }>('session.get', {})).session !== null, { what: `${p.name}'s session` });
  if (verify) await call('kiosk.ssPin', { pin: p.ssCard.pin });
}

const open = (id: string) => call<ServiceFormView>('kiosk.serviceOpen', { id });
async function run(id: string, values: Record<string, string | boolean> = {}): Promise<ServiceResultView> {
  const f = await open(id);
  return call<ServiceResultView>('kiosk.serviceSubmit', { ticket: f.ticket, values });
}

beforeAll(async () => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-services-')), 'data');
  app = await createApp(parseConfig({ dataDir, mode: 'kiosk', face: { enabled: false }, platform: { healthIntervalMs: 60_000 } }), { host: 'node' });
});
afterAll(async () => {
  await app?.close();
});

const wang = residentByName('王建国'); // 310 退休, 南京玄武
const liu = residentByName('刘佳怡'); // 390 城乡居民, 南京
const huang = residentByName('黄明轩'); // 390, 特困
const zhang = residentByName('张德福'); // 310 在职, 深圳南山

describe('the catalogue', () => {
  it("declares at least 45 of the reference's kiosk rows (5–52) as services, a row at most one action, ids unique", () => {
    const rows = DECLARATIONS.map((d) => d.row);
    expect(new Set(DECLARATIONS.map((d) => d.id)).size).toBe(DECLARATIONS.length);
    // The login rows 1–4 are the identification screens, not catalogue entries; row 53 is the counter's.
    expect(rows.filter((r) => r < 5 || r > 52)).toEqual([]);
    expect(new Set(rows).size).toBeGreaterThanOrEqual(45);
    for (const row of new Set(rows)) expect([row, DECLARATIONS.filter((d) => d.row === row && d.category !== 'query').length <= 1]).toEqual([row, true]);
  });

  it('every built-in declaration passes its schema and is consistent; a broken one says what is wrong', () => {
    for (const d of DECLARATIONS) {
      expect([d.id, serviceDeclSchema.safeParse(d).success]).toEqual([d.id, true]);
      expect([d.id, inconsistency(d)]).toEqual([d.id, null]);
    }
    const visits = DECLARATIONS.find((d) => d.id === 'visits')!;
    expect(inconsistency({ ...visits, rules: [{ kind: 'date-order', from: 'from', to: 'until', message: 'x' }] })).toBe(
      'rule date-order names until, which is not in the form',
    );
    expect(inconsistency({ ...visits, tx: { ...visits.tx!, record: true } })).toBe('transaction 5201 is a query, not a record change');
    expect(inconsistency({ ...visits, tx: { ...visits.tx!, infno: 'X9999' } })).toBe('transaction X9999 is not part of the interface');
    expect(inconsistency({ ...visits, tx: { infno: '5201', input: { data: { psn_no: '$psn_no', begntime: '{f.start} 00:00:00' } } } })).toBe(
      'the request uses field start, which is not in the form',
    );
  });

  it('lists public services to nobody and says why the rest are closed; a person sees hers opened by insurance type', async () => {
    await call('session.end', { reason: 'logout' }).catch(() => undefined);
    const anonymous = (await call<{ services: ServiceListItemView[] }>('kiosk.services', {})).services;
    expect(
      anonymous
        .filter((s) => s.unavailable === null)
        .map((s) => s.id)
        .sort(),
    ).toEqual(['drugs', 'hospitals', 'lists', 'pharmacies', 'policy']);
    expect(anonymous.find((s) => s.id === 'visits')!.unavailable).toBe('请先刷身份证、社保卡、医保码或刷脸');
    // Most used first.
    expect(anonymous[0]!.id).toBe('info');
    await identify(liu, false);
    const hers = (await call<{ services: ServiceListItemView[] }>('kiosk.services', {})).services;
    expect(hers.find((s) => s.id === 'account-detail')!.unavailable).toBe('个人账户仅职工医保参保人员有');
    expect(hers.find((s) => s.id === 'subsidy')!.unavailable).toBeNull();
    await expect(open('account-detail')).rejects.toMatchObject({ code: 'SERVICE_NOT_ELIGIBLE' });
  });
});

describe('queries answer by name, never by code', () => {
  beforeEach(async () => identify(wang, false));

  it('待遇享受状态, 在院, 异地备案, 办件进度', async () => {
    const trt = await run('treatment-status');
    expect(trt.rows).toEqual([{ fund_pay_type: '职工基本医疗保险统筹基金', trt_enjymnt_flag: '可以享受', trt_chk_rslt: '正常享受' }]);
    expect(await run('inpatient')).toMatchObject({ state: 'done', rows: [], message: '当前没有在院记录' });
    expect(await run('remote-filings')).toMatchObject({ state: 'done', rows: [], message: '没有异地就医备案' });
    expect((await run('progress')).state).toBe('done');
  });

  it('个人账户收支明细 shows 划入 and the balance in yuan; a future year is refused by the form', async () => {
    const r = await run('account-detail', { year: '2026' });
    expect(r.columns!.map((c) => c.label)).toEqual(['日期', '类型', '金额', '余额', '摘要']);
    expect(r.rows!.length).toBeGreaterThanOrEqual(1);
    expect(r.rows![0]).toMatchObject({ io_type: '划入', amount: '￥120.00' });
    await expect(run('account-detail', { year: '2099' })).rejects.toMatchObject({ code: 'SERVICE_FORM_INVALID', details: [{ path: 'year' }] });
  });

  it('就诊记录: dates in order, at most a year', async () => {
    expect((await run('visits', { from: '2026-01-01', to: '2026-06-30' })).state).toBe('done');
    await expect(run('visits', { from: '2026-06-01', to: '2026-01-01' })).rejects.toThrow('结束日期不能早于开始日期');
    await expect(run('visits', { from: '2024-01-01', to: '2026-01-01' })).rejects.toThrow('一次最多查询一年');
    await expect(run('visits', { from: '2026-02-30', to: '2026-03-01' })).rejects.toThrow('开始日期应为 年-月-日');
    await expect(run('visits', { from: '2026-01-01', to: '2026-02-01', extra: 'x' })).rejects.toThrow('不是本表单的内容');
  });

  it('public look-ups: hospitals by region and level, pharmacies, the drug catalogue with 甲/乙/丙 and self-pay share, the lists', async () => {
    const h = await run('hospitals', { regn: '440300', lv: '1' });
    expect(h.rows).toEqual([
      { medins_name: '深圳市人民医院', regn_code: '广东省深圳市', medins_lv: '三级', out_med_open_flag: '是', addr: '深圳市罗湖区东门北路1017号' },
    ]);
    const p = await run('pharmacies', { regn: '320102' });
    expect(p.rows!.map((r) => r.phac_name)).toEqual(['玄武大药房中山路店']);
    await expect(run('drugs', {})).rejects.toThrow('请填写药品名称');
    const d = await run('drugs', { keyword: '阿莫西林' });
    expect(d.rows!.length).toBeGreaterThanOrEqual(1);
    for (const row of d.rows!) expect(row.chrgitm_lv).toMatch(/^(甲类|乙类|丙类（自费）)$/);
    const l = await run('lists', { type: 'disease', keyword: '透析' });
    expect(l.rows).toEqual([{ list_name: '尿毒症透析', chrgitm_lv: '—', memo: '门诊特殊病' }]);
    await expect(run('lists', { type: 'nonsense' })).rejects.toThrow('请从列表中选择目录');
  });

  it('缴费证明 prints the years asked for; the paper is parsed back', async () => {
    await identify(liu, false);
    const r = await run('payment-proof', { from: '2025', to: '2026' });
    expect(r.rows!.map((x) => [x.year, x.insutype, x.amount])).toEqual([
      ['2026', '城乡居民基本医疗保险', '￥400.00'],
      ['2025', '城乡居民基本医疗保险', '￥400.00'],
    ]);
    const { jobId } = await call<{ jobId: string }>('kiosk.servicePrint', { ticket: r.ticket });
    // Asking again prints nothing more.
    expect(await call('kiosk.servicePrint', { ticket: r.ticket })).toEqual({ jobId });
    await waitUntil(async () => (await call<{ state: string }>('kiosk.printJob', { jobId })).state === 'done', { what: 'the paper' });
    const paper = app.devices.sim!.printer.sim.receipts().at(-1)!;
    expect(paper.lines[0]).toBe('医疗保险缴费证明');
    expect(paper.lines.join('\n')).toContain('年度 2026  险种 城乡居民基本医疗保险  金额 ￥400.00');
    expect(paper.lines.join('\n')).not.toContain(liu.idNumber);
    expect(paper.lines.join('\n')).toMatch(/打印时间.*（北京时间）/);
  });

  it('资助参保: a 特困 resident owes nothing of the ¥400', async () => {
    await identify(huang, false);
    const r = await run('subsidy');
    expect(r.fields).toEqual([
      { label: '缴费年度', value: '2026' },
      { label: '资助身份', value: '特困人员' },
      { label: '个人缴费标准', value: '￥400.00' },
      { label: '资助金额', value: '￥400.00' },
      { label: '本人应缴', value: '￥0.00' },
    ]);
  });
});

describe('applications go through the outbox once per ticket', () => {
  it('异地就医备案 needs a fresh verification, refuses a province it covers, then files once under eight concurrent submits', async () => {
    await identify(zhang, false);
    const values = { rea: '08', place: '110000', addr: '北京市朝阳区建国路1号', from: '2099-01-01', tel: '13800000001', agent: '0', commit: true };
    const f = await open('remote-filing');
    expect(f.fields.find((x) => x.key === 'to')!.when).toEqual({ field: 'rea', in: ['06', '09'] });
    await expect(call('kiosk.serviceSubmit', { ticket: f.ticket, values })).rejects.toMatchObject({ code: 'AUTH_VERIFICATION_REQUIRED' });
    await call('kiosk.ssPin', { pin: zhang.ssCard.pin });
    await expect(call('kiosk.serviceSubmit', { ticket: f.ticket, values: { ...values, commit: false } })).rejects.toThrow('请阅读并勾选"个人承诺书"');
    await expect(call('kiosk.serviceSubmit', { ticket: f.ticket, values: { ...values, place: '440100' } })).resolves.toMatchObject({
      state: 'refused',
      message: '省内就医已取消备案，无需办理',
    });
    await call('kiosk.ssPin', { pin: zhang.ssCard.pin });
    const g = await open('remote-filing');
    const results = await Promise.all(Array.from({ length: 8 }, () => call<ServiceResultView>('kiosk.serviceSubmit', { ticket: g.ticket, values })));
    expect(new Set(results.map((r) => r.message)).size).toBe(1);
    expect(results[0]!.message).toMatch(/^异地就医备案已提交，受理号 SQ\d{14}/);
    const list = await run('remote-filings');
    expect(list.rows).toEqual([
      expect.objectContaining({ rloc_rea: '常驻异地工作人员', rloc_admdvs: '北京市', begndate: '2099-01-01', enddate: '—', appl_stas: '已办结' }),
    ]);
    // A long-term filing cannot be cancelled within six months.
    await call('kiosk.ssPin', { pin: zhang.ssCard.pin });
    const sn = list.rows![0]!.appl_sn!;
    expect(await run('remote-cancel', { sn, memo: '不去了' })).toMatchObject({
      state: 'refused',
      message: expect.stringMatching(/^长期备案办理后 180 天内不能变更或撤销/),
    });
  });

  it('a temporary filing needs an end date at least 180 days on, and 异地转诊 its hospital', async () => {
    await identify(zhang);
    const base = { rea: '09', place: '510100', from: '2099-01-01', tel: '13800000001', agent: '0', commit: true };
    await expect(run('remote-filing', base)).rejects.toThrow('请填写结束日期');
    await expect(run('remote-filing', { ...base, to: '2099-03-01' })).rejects.toThrow('临时外出就医备案有效期不少于 6 个月（180 天）');
    await expect(run('remote-filing', { ...base, rea: '06', to: '2099-12-31' })).rejects.toThrow('请填写转出医院');
    await expect(run('remote-filing', { ...base, agent: '1', to: '2099-12-31' })).rejects.toThrow('请填写代办人姓名');
    await expect(
      run('remote-filing', {
        ...base,
        to: '2099-12-31',
        agent: '1',
        agnter_name: '张小明',
        agnter_certno: '110101199003071234',
        agnter_tel: '13900000002',
        agnter_rlts: '20',
      }),
    ).rejects.toThrow('代办人身份证号不是有效的 18 位身份证号码');
  });

  it('参保登记: a person insured elsewhere is told to pause there first; someone new is registered', async () => {
    await identify(liu, false);
    const other = residentByName('马浩然'); // insured in 深圳
    expect(await run('registration', { certno: other.idNumber, name: other.name, place: '320100', addr: '南京市', tel: '13800000003' })).toMatchObject({
      state: 'refused',
      message: expect.stringContaining('异地有参保登记信息（440300），请先在原参保地暂停参保'),
    });
    const r = await run('registration', {
      certno: makeIdNumber('320102', '20100307', '123'),
      name: '王小宝',
      place: '320100',
      addr: '南京市',
      tel: '13800000003',
    });
    expect(r.state).toBe('done');
    expect(r.message).toMatch(/^参保登记成功（受理号 SQ\d+），请在缴费期内缴纳城乡居民医保费$/);
    const progress = await run('progress');
    expect(progress.rows![0]).toMatchObject({ appl_type: '城乡居民参保登记', appl_stas: '已办结' });
  });

  it('零星报销 takes the amount in yuan and files it in fen; 生育 halves the allowance when the spouse is uninsured; 转移接续 refuses a retiree', async () => {
    await identify(wang);
    await expect(
      run('reimburse', { rea: '01', hospital: '北京协和医院', date: '2026-11-01', amount: '12.345', bank: '6222020200112233445', tel: '13800000004' }),
    ).rejects.toThrow('医疗费用总额（元）应为金额（元），如 128.50');
    await call('kiosk.ssPin', { pin: wang.ssCard.pin });
    const r = await run('reimburse', {
      rea: '01',
      hospital: '北京协和医院',
      date: '2026-11-01',
      amount: '1234.5',
      bank: '6222020200112233445',
      tel: '13800000004',
    });
    expect(r.state).toBe('done');
    await call('kiosk.ssPin', { pin: wang.ssCard.pin });
    expect(await run('transfer-relation', { to: '440300', tel: '13800000004' })).toMatchObject({
      state: 'refused',
      message: '已退休人员的医保关系不办理转移接续',
    });
    await identify(liu);
    expect(await run('maternity', { kind: '1', date: '2026-10-01', hospital: '南京市妇幼保健院', spouse: '0', tel: '13800000005' })).toMatchObject({
      state: 'done',
    });
    const progress = await run('progress');
    expect(progress.rows!.find((x) => x.appl_type === '生育医疗费/津贴申领')!.stas_desc).toBe('已受理，核定生育医疗费补助 400.00 元');
  });

  it('the other applications each file and show in 办件进度 by name', async () => {
    await identify(zhang);
    const cases: [string, Record<string, string | boolean>][] = [
      ['info-change', { tel: '13800000006' }],
      ['dual-channel', { drug: '奥希替尼', hospital: '深圳市人民医院', diag: '肺癌', tel: '13800000006' }],
      ['injury', { hospital: '深圳市人民医院', when: '2026-11-20', where: '家中', how: '在家中摔倒，右腕骨折', third: '0', tel: '13800000006', agent: '0' }],
      ['assistance', { why: '患病后收入下降，医疗费用负担重', tel: '13800000006' }],
      ['report-fraud', { type: '2', target: '某药店', content: '该药店用医保卡刷生活用品，多次看到', anonymous: '1' }],
      ['activate-ec', { tel: '13800000006' }],
      ['newborn', { name: '张小宝', gender: '1', born: '2026-11-01', cert: 'Q440012345', rel: '50', tel: '13800000006' }],
      ['long-term-care', { lv: '3', addr: '深圳市南山区', tel: '13800000006', agent: '0' }],
      ['transfer-relation', { to: '110000', tel: '13800000006' }],
    ];
    for (const [id, values] of cases) {
      await call('kiosk.ssPin', { pin: zhang.ssCard.pin });
      const r = await run(id, values);
      expect([id, r.state, r.message]).toEqual([id, 'done', expect.any(String)]);
    }
    await call('kiosk.ssPin', { pin: zhang.ssCard.pin });
    expect(await run('activate-ec', { tel: '13800000006' })).toMatchObject({ state: 'refused', message: '医保码已激活，无需重复激活' });
    const names = (await run('progress')).rows!.map((x) => x.appl_type);
    for (const n of [
      '参保信息变更',
      '双通道药品备案',
      '意外伤害备案',
      '医疗救助申请',
      '欺诈骗保举报',
      '医保码激活',
      '新生儿参保登记',
      '长期护理保险申请',
      '医保关系转移接续',
    ])
      expect(names).toContain(n);
    // 在职职工 cannot register as flexibly employed.
    expect(await run('flexible', { addr: '深圳市', tel: '13800000006' })).toMatchObject({
      state: 'refused',
      message: '在职职工由单位参保，不能以灵活就业人员身份参保',
    });
  });

  it("个人账户代缴: one debit of the payer's account under eight concurrent submits; the year then counts as paid; a wrong amount or name is refused", async () => {
    await identify(wang);
    const balance = () => (app.simulator!.db.prepare('SELECT balance FROM person WHERE psn_no = ?').get(wang.psnNo) as { balance: number }).balance;
    const before = balance();
    const values = { certno: liu.idNumber, name: liu.name, rel: '20', year: '2027', amount: '400', commit: true };
    expect(await run('family-premium', { ...values, amount: '380' })).toMatchObject({ state: 'refused', message: '2027 年度个人缴费标准为 400.00 元' });
    await call('kiosk.ssPin', { pin: wang.ssCard.pin });
    expect(await run('family-premium', { ...values, name: '刘佳' })).toMatchObject({ state: 'refused', message: '家人姓名与身份证号不符' });
    await call('kiosk.ssPin', { pin: wang.ssCard.pin });
    const f = await open('family-premium');
    const results = await Promise.all(Array.from({ length: 8 }, () => call<ServiceResultView>('kiosk.serviceSubmit', { ticket: f.ticket, values })));
    expect(new Set(results.map((r) => r.message)).size).toBe(1);
    expect(results[0]).toMatchObject({ state: 'done', message: expect.stringMatching(/^代缴成功（受理号 SQ\d+）$/) });
    expect(before - balance()).toBe(40_000);
    await call('kiosk.ssPin', { pin: wang.ssCard.pin });
    expect(await run('family-premium', values)).toMatchObject({ state: 'refused', message: '刘*怡 2027 年度已缴费' });
    expect(before - balance()).toBe(40_000);
  });

  it('a ticket from another person, an unknown ticket and a service with its own screen are refused', async () => {
    await identify(wang, false);
    const f = await open('visits');
    await identify(liu, false);
    await expect(call('kiosk.serviceSubmit', { ticket: f.ticket, values: { from: '2026-01-01', to: '2026-02-01' } })).rejects.toMatchObject({
      code: 'SERVICE_TICKET_UNKNOWN',
    });
    await expect(call('kiosk.serviceSubmit', { ticket: '00000000-0000-4000-8000-000000000000', values: {} })).rejects.toMatchObject({
      code: 'SERVICE_TICKET_UNKNOWN',
    });
    await expect(open('premium')).rejects.toMatchObject({ code: 'SERVICE_HAS_OWN_SCREEN' });
    await expect(open('nope')).rejects.toMatchObject({ code: 'SERVICE_UNKNOWN' });
  });
});
