/**
 * The resident services behind the kiosk screens. Each reads the session's person from the
 * platform (1101 once per session, forgotten when it ends), queries, files through the outbox,
 * estimates with the policy engine, and prints.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { BridgeError } from '../bridge/contract/errors';
import { fen, type Fen } from '../bridge/contract/money';
import { maskIdNumber, maskName } from '../bridge/contract/mask';
import { ageOn, isValidIdNumber, sexAndBirthOf } from '../bridge/contract/id-number';
import { PlatformError, type PlatformClient } from '../platform/client';
import { beijingDate, infTime } from '../platform/envelope';
import { emptyYtd, policyFor, split } from '../policy/engine';
import type { RegionPolicy, MedType } from '../policy/types';
import type { Outbox } from '../outbox/outbox';
import type { Drainer } from '../outbox/drainer';
import { RECORD_KIND, type RecordPayload } from './record';
import type { ResidentSession } from '../session/session';
import type { DeviceManager } from '../devices/manager';
import type { Identity } from '../devices/identity';
import { ReceiptBuilder } from '../../drivers/printer/encoder';
import { nameOf, optionsOf } from './catalogue/dictionaries';
import { tiersOfSetlinfo, tiersOfSplit } from '../policy/tiers';
import type { AssistanceCategory } from '../policy/types';
import type { DrugCatalogue } from '../policy/catalogue';
import { canonicalDocument, sealedDocument, type DocumentContent } from '../documents/signed-document';

export const CHRONIC_DISEASES = [
  { code: 'M03900', name: '高血压' },
  { code: 'M01600', name: '糖尿病' },
  { code: 'M07800', name: '冠心病' },
  { code: 'M00500', name: '慢性阻塞性肺疾病' },
  { code: 'M02200', name: '脑血管病后遗症' },
];
export const INSTITUTIONS = [
  { code: 'H32010200002', name: '玄武区社区卫生服务中心' },
  { code: 'H44030400011', name: '福田区第二人民医院' },
  { code: 'H44030500021', name: '南山区蛇口社康中心' },
];
export const HOSPITALS = [
  { code: 'H32010000001', name: '南京市第一医院', admdvs: '320100' },
  { code: 'H44030000001', name: '深圳市人民医院', admdvs: '440300' },
  { code: 'H11000000001', name: '北京协和医院', admdvs: '110000' },
];

interface Person {
  psnNo: string;
  name: string;
  certno: string;
  gender: string;
  age: number;
  records: { insutype: string; status: string; balance: Fen; admdvs: string; empName: string | null; psnType: string; since: string | null }[];
  selected: string;
  /** 医疗救助 category from 1101 idetinfo, for estimates. */
  assistance: AssistanceCategory | null;
}

/** psn_idet_type (1101 idetinfo) → assistance category of the policy engine [K: a region's codes may differ]. */
const ASSISTANCE_BY_IDET: Record<string, AssistanceCategory> = {
  '231': 'extreme-poverty',
  '232': 'minimum-living',
  '233': 'low-income',
  '234': 'poverty-relapse',
};

/** 亲情账户 relations: codes of the 家庭关系 dictionary (GB/T 4761) the seed allows — 配偶, 子女, 父母 — and grandchildren and grandparents. */
export const RELATIONS = optionsOf('relation', ['10', '20', '30', '40', '50', '60']);

export class KioskServices {
  private person: Person | null = null;
  /** 亲情账户: while waiting, the next credential presented is the family member's, not a new session. */
  private memberCapture: { waiting: boolean; member: Identity | null } | null = null;
  /** Premium orders created in this session: only these may be looked up. */
  private readonly orders = new Set<string>();

  constructor(
    private readonly session: ResidentSession,
    private readonly client: PlatformClient,
    private readonly outbox: Outbox,
    private readonly drainer: Drainer,
    private readonly devices: DeviceManager,
    private readonly policies: RegionPolicy[],
    private readonly drugs: DrugCatalogue,
    private readonly terminal: { admdvs: string; name: string; institutionCode: string },
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    const forget = () => {
      this.person = null;
      this.memberCapture = null;
      this.orders.clear();
    };
    session.on('ended', forget);
    session.on('changed', forget);
  }

  /** The session's person, from 1101 once per session. */
  async current(): Promise<Person> {
    const id = this.session.current;
    if (!id) throw new BridgeError('SESSION_NONE', 'nobody is identified');
    if (this.person) return this.person;
    const r = await this.client.query('1101', {
      data: {
        mdtrt_cert_type: id.certType,
        mdtrt_cert_no: id.certNo,
        ...(id.cardSn ? { card_sn: id.cardSn } : {}),
        psn_cert_type: '01',
        ...(id.idNumber ? { certno: id.idNumber } : {}),
      },
    });
    const b = r.baseinfo;
    this.person = {
      psnNo: b.psn_no,
      name: b.psn_name,
      certno: b.certno,
      gender: b.gend,
      age: Math.floor(b.age),
      records: r.insuinfo.map((i) => ({
        insutype: i.insutype,
        status: i.psn_insu_stas,
        balance: fen(i.balc),
        admdvs: i.insuplc_admdvs,
        empName: i.emp_name,
        psnType: i.psn_type,
        since: i.psn_insu_date,
      })),
      selected: r.insuinfo[0]?.insutype ?? '',
      assistance: r.idetinfo.map((i) => ASSISTANCE_BY_IDET[i.psn_idet_type]).find((x) => x !== undefined) ?? null,
    };
    return this.person;
  }

  async personView() {
    const p = await this.current();
    return {
      maskedName: maskName(p.name),
      gender: p.gender,
      age: p.age,
      records: p.records.map((r) => ({
        ...r,
        insutypeName: nameOf('insutype', r.insutype),
        admdvsName: nameOf('admdvs', r.admdvs),
        psnTypeName: nameOf('psn_type', r.psnType),
        empName: r.empName,
      })),
      selected: p.selected,
    };
  }

  async select(insutype: string): Promise<void> {
    const p = await this.current();
    if (!p.records.some((r) => r.insutype === insutype)) throw new BridgeError('SESSION_NO_SUCH_RECORD', 'no such insurance record');
    p.selected = insutype;
  }

  /** The session's person and selected record, as the service catalogue needs them. */
  async cataloguePerson() {
    const { p, r } = await this.record();
    return {
      psnNo: p.psnNo,
      name: p.name,
      certno: p.certno,
      gender: p.gender,
      age: p.age,
      insutype: r.insutype,
      admdvs: r.admdvs,
      psnType: r.psnType,
      empName: r.empName,
    };
  }

  /** A paper of label/value lines under a title, with the terminal and the time it was printed. */
  printPaper(title: string, lines: { label: string; value: string }[]): { jobId: string } {
    const printer = this.devices.printer;
    if (!printer) throw new BridgeError('PRINTER_ABSENT', 'the printer is not connected');
    const b = new ReceiptBuilder().init().chinese().align('center').size(2, 2).line(title).size(1, 1).rule('=').align('left');
    for (const l of lines) {
      if (l.label) b.pair(l.label, l.value);
      else b.line(l.value);
    }
    const bytes = b
      .rule()
      .pair('打印时间', `${infTime(this.clock.now())}（北京时间）`)
      .pair('打印终端', this.terminal.name)
      .cut()
      .bytes();
    const jobId = `paper-${this.clock.now()}-${randomBytes(4).toString('hex')}`;
    printer.print(jobId, bytes);
    return { jobId };
  }

  private async record() {
    const p = await this.current();
    return { p, r: p.records.find((x) => x.insutype === p.selected) ?? p.records[0]! };
  }

  async settlements() {
    const { p, r } = await this.record();
    const year = beijingDate(this.clock.now()).slice(0, 4);
    const list = await this.client.query(
      '5201',
      { data: { psn_no: p.psnNo, begntime: `${Number(year) - 1}-01-01 00:00:00`, endtime: infTime(this.clock.now()) } },
      { insuplcAdmdvs: r.admdvs },
    );
    return list.mdtrtinfo.map((m) => ({
      mdtrtId: m.mdtrt_id,
      setlId: (m as { setl_id?: string | null }).setl_id ?? null,
      medType: m.med_type,
      date: String(m.begntime).slice(0, 10),
      institution: m.fixmedins_name,
      disease: m.dise_name ?? null,
    }));
  }

  async settlementDetail(setlId: string, mdtrtId: string) {
    const { p, r } = await this.record();
    const s = (await this.client.query('5203', { data: { psn_no: p.psnNo, setl_id: setlId, mdtrt_id: mdtrtId } }, { insuplcAdmdvs: r.admdvs })).setlinfo;
    const lines = (await this.client.query('5204', { data: { psn_no: p.psnNo, setl_id: setlId, mdtrt_id: mdtrtId } }, { insuplcAdmdvs: r.admdvs })).feedetail;
    const f = fen;
    return {
      summary: {
        total: f(s.medfee_sumamt),
        fund: f(s.fund_pay_sumamt),
        account: f(s.acct_pay),
        cash: f(s.psn_cash_pay),
        date: String(s.setl_time).slice(0, 10),
      },
      tiers: tiersOfSetlinfo(s),
      lines: lines.map((l) => ({
        name: String((l as { hilist_name?: string }).hilist_name ?? l.med_list_codg),
        quantity: l.cnt,
        amount: f(l.det_item_fee_sumamt),
      })),
    };
  }

  async cumulative() {
    const { p, r } = await this.record();
    const ym = beijingDate(this.clock.now()).slice(0, 7).replace('-', '');
    const c = (await this.client.query('5206', { data: { psn_no: p.psnNo, cum_ym: ym } }, { insuplcAdmdvs: r.admdvs })).cuminfo;
    return c.map((x) => ({ code: x.cum_type_code, amount: fen(x.cum) }));
  }

  async filings() {
    const { p, r } = await this.record();
    const chronic = (await this.client.query('5301', { data: { psn_no: p.psnNo } }, { insuplcAdmdvs: r.admdvs })).feedetail as {
      opsp_dise_code: string;
      opsp_dise_name: string;
      begndate: string;
      trt_dcla_detl_sn?: string;
    }[];
    const designated = (await this.client.query('5302', { data: { psn_no: p.psnNo, biz_appy_type: '01' } }, { insuplcAdmdvs: r.admdvs })).psnfixmedin as {
      fixmedins_code: string;
      fixmedins_name: string;
      begndate: string;
      trt_dcla_detl_sn?: string;
    }[];
    return [
      ...chronic.map((c) => ({ kind: 'chronic' as const, sn: c.trt_dcla_detl_sn ?? '', name: c.opsp_dise_name, since: String(c.begndate).slice(0, 10) })),
      ...designated.map((d) => ({ kind: 'designated' as const, sn: d.trt_dcla_detl_sn ?? '', name: d.fixmedins_name, since: String(d.begndate).slice(0, 10) })),
    ];
  }

  /** Files or cancels through the outbox and waits for the platform's answer. */
  async file(req: { action: 'apply' | 'cancel'; kind: 'chronic' | 'designated' | 'transfer'; code?: string; sn?: string; reason?: string }) {
    const { p, r } = await this.record();
    const today = beijingDate(this.clock.now());
    let payload: RecordPayload;
    if (req.action === 'cancel') {
      if (!req.sn) throw new BridgeError('BRIDGE_BAD_PAYLOAD', 'which filing to cancel');
      const infno = { chronic: '2504', designated: '2506', transfer: '2502' }[req.kind] as RecordPayload['infno'];
      payload = {
        infno,
        input: { data: { trt_dcla_detl_sn: req.sn, psn_no: p.psnNo, memo: req.reason ?? '本人自助撤销' } },
        psnNo: p.psnNo,
        insuplcAdmdvs: r.admdvs,
        label: `cancel ${req.kind}`,
      };
    } else if (req.kind === 'chronic') {
      const d = CHRONIC_DISEASES.find((x) => x.code === req.code);
      if (!d) throw new BridgeError('BRIDGE_BAD_PAYLOAD', 'unknown disease');
      payload = {
        infno: '2503',
        input: {
          data: {
            psn_no: p.psnNo,
            insutype: r.insutype,
            opsp_dise_code: d.code,
            opsp_dise_name: d.name,
            insu_optins: r.admdvs,
            ide_fixmedins_no: this.terminal.institutionCode,
            ide_fixmedins_name: this.terminal.name,
            hosp_ide_date: today,
            diag_dr_codg: 'SELF',
            diag_dr_name: '自助申请',
            begndate: today,
          },
        },
        psnNo: p.psnNo,
        insuplcAdmdvs: r.admdvs,
        label: `门诊慢特病备案 ${d.name}`,
      };
    } else if (req.kind === 'designated') {
      const inst = INSTITUTIONS.find((x) => x.code === req.code);
      if (!inst) throw new BridgeError('BRIDGE_BAD_PAYLOAD', 'unknown institution');
      payload = {
        infno: '2505',
        input: { data: { psn_no: p.psnNo, biz_appy_type: '01', begndate: today, fix_srt_no: '1', fixmedins_code: inst.code, fixmedins_name: inst.name } },
        psnNo: p.psnNo,
        insuplcAdmdvs: r.admdvs,
        label: `定点备案 ${inst.name}`,
      };
    } else {
      const h = HOSPITALS.find((x) => x.code === req.code);
      if (!h) throw new BridgeError('BRIDGE_BAD_PAYLOAD', 'unknown hospital');
      payload = {
        infno: '2501',
        input: {
          refmedin: {
            psn_no: p.psnNo,
            insutype: r.insutype,
            diag_code: 'Z09.900',
            diag_name: '需转诊治疗',
            reflin_medins_no: h.code,
            reflin_medins_name: h.name,
            mdtrtarea_admdvs: h.admdvs,
            hosp_agre_refl_flag: '1',
            refl_type: '01',
            refl_date: today,
            refl_rea: req.reason ?? '病情需要',
            refl_opnn: '同意转诊',
            begndate: today,
          },
        },
        psnNo: p.psnNo,
        insuplcAdmdvs: r.admdvs,
        label: `转院备案 ${h.name}`,
      };
    }
    const item = this.outbox.enqueue(RECORD_KIND, p.psnNo, payload);
    const done = await this.drainer.settleNow(item.itemId, 20_000);
    const result = done.result as { result?: { trt_dcla_detl_sn?: string } } | null;
    this.log.info('kiosk.filing', { infno: payload.infno, state: done.state });
    return { state: done.state, sn: result?.result?.trt_dcla_detl_sn ?? null, message: done.state === 'failed-business' ? done.reason : null };
  }

  /** 待遇测算: what a bill would cost this person, by the policy engine (no year-to-date: an upper estimate of the fund's share). */
  async estimate(lines: { listCode: string; quantity: number }[], medType: MedType) {
    const { p, r } = await this.record();
    const policy = policyFor(this.policies, r.admdvs, beijingDate(this.clock.now()));
    const bill = lines.map((l, i) => {
      const d = this.drugs.byCode(l.listCode);
      if (!d) throw new BridgeError('BRIDGE_BAD_PAYLOAD', `unknown drug ${l.listCode}`);
      return {
        feedetlSn: String(i + 1),
        listCode: d.hilistCode,
        name: d.name,
        chrgitmLv: d.chrgitmLv,
        unitPrice: fen(d.price),
        quantityMilli: Math.round(l.quantity * 1000),
        selfPayBp: d.selfPayBp,
        priceCap: d.priceCap === null ? null : fen(d.priceCap),
      };
    });
    const s = split({
      policy,
      medType,
      lines: bill,
      person: { insutype: r.insutype as '310' | '390', assistance: p.assistance, accountBalance: r.balance, mutualAidBalance: fen(0) },
      ytd: emptyYtd(),
      useAccount: true,
      newAdmission: medType === '21',
    });
    return {
      region: policy.name,
      total: s.medfeeSumamt,
      fund: s.fundPaySumamt,
      account: s.acctPay,
      cash: s.psnCashPay,
      ownPay: fen(s.fulamtOwnpayAmt + s.preselfpayAmt + s.overlmtSelfpay),
      tiers: tiersOfSplit(s),
    };
  }

  catalogue() {
    return this.drugs.drugs.filter((c) => c.chrgitmLv !== '03').map((c) => ({ listCode: c.hilistCode, name: c.name, spec: c.spec, price: fen(c.price) }));
  }

  async policy(locale: 'zh-CN' | 'en') {
    const admdvs = this.session.current ? (await this.record()).r.admdvs : this.terminal.admdvs;
    const p = policyFor(this.policies, admdvs, beijingDate(this.clock.now()));
    return { region: p.name, lines: p.summary[locale] };
  }

  /**
   * 参保凭证: the certificate's fields as printed (name and ID number masked), signed by the
   * platform (X9301) and printed with a QR code anyone can verify offline (main/documents) and
   * its 核验码. Without the platform's signature it prints no code at all: the terminal holds no
   * key, and a code it made up would prove nothing.
   */
  async printCertificate(): Promise<{ jobId: string }> {
    const { p, r } = await this.record();
    const printer = this.devices.printer;
    if (!printer) throw new BridgeError('PRINTER_ABSENT', 'the printer is not connected');
    const doc: DocumentContent = {
      kind: 'insurance-certificate',
      issuer: this.terminal.institutionCode,
      issuedAt: infTime(this.clock.now()),
      fields: [
        { label: '姓名', value: maskName(p.name) },
        { label: '证件号码', value: maskIdNumber(p.certno) },
        { label: '险种', value: nameOf('insutype', r.insutype) },
        { label: '参保状态', value: r.status === '1' ? '正常参保' : '暂停参保' },
        { label: '参保地', value: nameOf('admdvs', r.admdvs) },
        { label: '参保日期', value: r.since ?? '-' },
        { label: '打印终端', value: this.terminal.name },
      ],
    };
    const canonical = canonicalDocument(doc);
    const sealed = await this.client.query('X9301', { data: { doc: canonical } }).then(
      (s) => sealedDocument(canonical, s.sign.signature, s.sign.key_id),
      (err: unknown) => {
        if (!(err instanceof PlatformError)) throw err;
        this.log.warn('kiosk.certificate_unsigned', { code: err.code, message: err.message });
        return null;
      },
    );
    const receipt = new ReceiptBuilder().init().chinese().align('center').size(2, 2).line('医疗保障参保凭证').size(1, 1).rule('=').align('left');
    for (const f of doc.fields) receipt.pair(f.label, f.value);
    receipt.pair('打印时间', doc.issuedAt).pair('出具机构', doc.issuer).rule().align('center');
    if (sealed) receipt.line('扫码核验凭证真伪').qr(sealed.payload).line(`核验码 ${sealed.verificationCode}`);
    else receipt.line('核验码待平台签发');
    const bytes = receipt.cut().bytes();
    const jobId = `cert-${p.psnNo}-${this.clock.now()}`;
    printer.print(jobId, bytes);
    return { jobId };
  }

  printJob(jobId: string) {
    const job = this.devices.printer?.printer?.job(jobId);
    if (!job) throw new BridgeError('PRINTER_NO_SUCH_JOB', 'no such print job');
    return { state: job.state, reason: job.reason };
  }

  async verifySsPin(pin: string): Promise<{ ok: true }> {
    const h = this.devices.handles.get('ss-card');
    if (!h || !('verifyPin' in h)) throw new BridgeError('SS_READER_ABSENT', 'no social-security card reader');
    await (h as unknown as { verifyPin(p: string): Promise<void> }).verifyPin(pin);
    // The card in the reader opened this session: its PIN verifies this person.
    if (this.session.current?.provenBy === 'ss-card') this.session.markVerified('card-pin');
    return { ok: true };
  }

  /** 缴费记录: contributions of the last five years and the next. */
  async contributions() {
    const { p, r } = await this.record();
    const year = Number(beijingDate(this.clock.now()).slice(0, 4));
    const res = await this.client.query(
      'X5401',
      { data: { psn_no: p.psnNo, begn_year: String(year - 4), end_year: String(year + 1) } },
      { insuplcAdmdvs: r.admdvs },
    );
    return res.contribution.map((c) => ({
      year: c.year,
      insutype: c.insutype,
      amount: fen(c.amount),
      paidAt: String(c.paid_at).slice(0, 10),
      channel: c.channel,
    }));
  }

  /**
   * 城乡居民缴费: creates the year's payment order through the outbox (idempotent on our order
   * number) and returns it with the URL its QR code carries. In the collection period (from
   * September) the order is for next year.
   */
  async createPremiumOrder() {
    const { p, r } = await this.record();
    if (r.insutype !== '390') throw new BridgeError('PREMIUM_NOT_RESIDENT', 'only 城乡居民 pay their own premium; employees pay through their employer');
    const today = beijingDate(this.clock.now());
    const year = Number(today.slice(5, 7)) >= 9 ? String(Number(today.slice(0, 4)) + 1) : today.slice(0, 4);
    // Kiosks of one service hall share the institution code: a random part keeps two orders made
    // in the same millisecond apart. The number is stored in the outbox payload, so retries reuse it.
    const outOrderNo = `${this.terminal.institutionCode}${this.clock.now()}${randomBytes(3).toString('hex')}`;
    const payload: RecordPayload = {
      infno: 'X2701',
      input: { data: { psn_no: p.psnNo, year, out_order_no: outOrderNo } },
      psnNo: p.psnNo,
      insuplcAdmdvs: r.admdvs,
      label: `城乡居民缴费下单 ${year}`,
    };
    const item = this.outbox.enqueue(RECORD_KIND, p.psnNo, payload);
    const done = await this.drainer.settleNow(item.itemId, 20_000);
    this.log.info('kiosk.premium_order', { state: done.state, year });
    if (done.state === 'failed-business') throw new BridgeError('PLATFORM_BUSINESS_ERROR', done.reason ?? 'the platform refused the order');
    if (done.state !== 'done') throw new BridgeError('PREMIUM_ORDER_PENDING', 'the platform did not answer; try again in a moment');
    this.orders.add(outOrderNo);
    return { ...(await this.premiumOrder(outOrderNo)), year };
  }

  /** The state of one of this session's premium orders (the screen polls it). */
  async premiumOrder(outOrderNo: string) {
    if (!this.orders.has(outOrderNo)) throw new BridgeError('PREMIUM_NO_SUCH_ORDER', 'no such order in this session');
    const { r } = await this.record();
    const o = (await this.client.query('X2702', { data: { out_order_no: outOrderNo } }, { insuplcAdmdvs: r.admdvs })).order;
    return { orderId: outOrderNo, orderNo: o.order_no, amount: fen(o.amount), payUrl: o.pay_url, expireTime: o.expire_time, state: o.state, paidAt: o.paid_at };
  }

  /** 亲情账户: the members bound to this person's account. */
  async familyMembers() {
    const { p, r } = await this.record();
    const list = (await this.client.query('X5801', { data: { psn_no: p.psnNo } }, { insuplcAdmdvs: r.admdvs })).member;
    return list.map((m) => ({
      psnNo: m.psn_no,
      maskedName: maskName(m.psn_name),
      maskedNo: maskIdNumber(m.certno),
      relation: m.relation,
      since: String(m.bind_time).slice(0, 10),
    }));
  }

  /** Starts waiting for the family member's own credential (their e-voucher QR code or ID card). */
  async awaitMember(): Promise<{ ok: true }> {
    await this.record();
    this.memberCapture = { waiting: true, member: null };
    return { ok: true };
  }

  get awaitingMember(): boolean {
    return !!this.memberCapture?.waiting;
  }

  /** A credential presented while waiting for a member: taken as the member's. Returns whether it was. */
  offerMember(id: Identity): boolean {
    if (!this.memberCapture?.waiting || !this.session.current) return false;
    if (id.idNumber && id.idNumber === this.session.current.idNumber) return false;
    this.memberCapture = { waiting: false, member: id };
    this.session.touch();
    return true;
  }

  memberStatus() {
    const m = this.memberCapture?.member;
    return {
      waiting: !!this.memberCapture?.waiting,
      member: m ? { maskedName: m.name ? maskName(m.name) : null, maskedNo: maskIdNumber(m.idNumber ?? m.certNo), provenBy: m.provenBy } : null,
    };
  }

  /** Binds the member who proved themselves, through the outbox. */
  async bindMember(relation: string) {
    const { p, r } = await this.record();
    const m = this.memberCapture?.member;
    if (!m) throw new BridgeError('FAMILY_MEMBER_NOT_VERIFIED', 'the family member has not presented their own credential');
    if (!RELATIONS.some((x) => x.code === relation)) throw new BridgeError('BRIDGE_BAD_PAYLOAD', 'unknown relation');
    const payload: RecordPayload = {
      infno: 'X2801',
      input: { data: { psn_no: p.psnNo, member_cert_type: m.certType, member_cert_no: m.certType === '02' ? (m.idNumber ?? m.certNo) : m.certNo, relation } },
      psnNo: p.psnNo,
      insuplcAdmdvs: r.admdvs,
      label: '亲情账户绑定',
      ...(m.idNumber ? { memberCertno: m.idNumber } : {}),
    };
    this.memberCapture = null;
    return this.runRecord(payload);
  }

  /**
   * Binds a child under 16 without the child present: the guardian (this person) gives the child's
   * ID number and name and the 户口簿户号; the platform checks the household register and the age.
   */
  async bindChild(req: { idNumber: string; name: string; household: string; relation: string }) {
    const { p, r } = await this.record();
    if (!RELATIONS.some((x) => x.code === req.relation)) throw new BridgeError('BRIDGE_BAD_PAYLOAD', 'unknown relation');
    const id = req.idNumber.trim().toUpperCase();
    if (!isValidIdNumber(id)) throw new BridgeError('FAMILY_ID_INVALID', '身份证号码不正确');
    if (ageOn(sexAndBirthOf(id).birthDate!, beijingDate(this.clock.now())) >= 16)
      throw new BridgeError('FAMILY_MEMBER_MUST_ATTEND', '16 周岁及以上的家庭成员须本人到场刷卡、扫码或刷脸');
    if (!/^\d{9,18}$/.test(req.household.trim())) throw new BridgeError('FAMILY_HOUSEHOLD_INVALID', '户口簿户号应为 9 到 18 位数字');
    return this.runRecord({
      infno: 'X2801',
      input: {
        data: {
          psn_no: p.psnNo,
          member_cert_type: '02',
          member_cert_no: id,
          member_name: req.name.trim(),
          relation: req.relation,
          hsreg_no: req.household.trim(),
        },
      },
      psnNo: p.psnNo,
      insuplcAdmdvs: r.admdvs,
      label: '亲情账户绑定（户口簿）',
      memberCertno: id,
    });
  }

  async unbindMember(memberPsnNo: string) {
    const { p, r } = await this.record();
    return this.runRecord({
      infno: 'X2802',
      input: { data: { psn_no: p.psnNo, member_psn_no: memberPsnNo } },
      psnNo: p.psnNo,
      insuplcAdmdvs: r.admdvs,
      label: '亲情账户解绑',
    });
  }

  private async runRecord(payload: RecordPayload) {
    const item = this.outbox.enqueue(RECORD_KIND, payload.psnNo, payload);
    const done = await this.drainer.settleNow(item.itemId, 20_000);
    this.log.info('kiosk.record', { infno: payload.infno, state: done.state });
    return { state: done.state, message: done.state === 'failed-business' ? done.reason : null };
  }
}
