/**
 * 个人信息授权 on the kiosk: the person's authorisations and each one's usage log (X5901, X5902),
 * a new one (X2901 through the outbox) once main has checked it against the classification and
 * the person has confirmed with a fresh face or card-PIN verification, revocation (X2902), and a
 * printed copy the platform signs (X9301) with a verification code.
 *
 * An authorisation is made under a ticket main issues when the form opens: repeated and
 * concurrent submits of one ticket share its one run, and the platform answers once per ticket
 * (`auth_ref`), so a double tap or a resend after a lost answer makes one authorisation.
 */
import type { Identity } from '../../devices/identity';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../ground/clock';
import type { Logger } from '../../ground/logger';
import { BridgeError } from '../../bridge/contract/errors';
import { maskIdNumber, maskName } from '../../bridge/contract/mask';
import { PlatformError, type PlatformClient } from '../../platform/client';
import { beijingDate, infTime } from '../../platform/envelope';
import type { Outbox } from '../../outbox/outbox';
import type { Drainer } from '../../outbox/drainer';
import type { ResidentSession } from '../../session/session';
import type { DeviceManager } from '../../devices/manager';
import { ReceiptBuilder } from '../../../drivers/printer/encoder';
import { canonicalDocument, sealedDocument, type DocumentContent } from '../../documents/signed-document';
import { nameOf } from '../catalogue/dictionaries';
import { RECORD_KIND, type RecordPayload } from '../record';
import { AUTH_MED_TYPES, DATA_ITEMS, FREQUENCY_BOUNDS, itemOf, LEVEL_RULES, levelsOf } from './classification';
import { agreementHash, agreementText, CURRENT_AGREEMENT } from './agreement';
import { AUTH_PERIOD_DAYS, validateGrant, type GrantRequest } from './grant';
import { GRANTEES, PURPOSES, purposeOf } from './parties';

/** How long a face or card-PIN verification counts for an authorisation. */
export const AUTH_VERIFY_WINDOW_MS = 3 * 60_000;
const TICKET_TTL_MS = 30 * 60_000;
const MAX_TICKETS = 50;

/** The session's person as the authorisation needs them. */
export interface AuthPerson {
  psnNo: string;
  name: string;
  certno: string;
  admdvs: string;
  empName: string | null;
}

export interface AuthorisationDeps {
  session: ResidentSession;
  client: PlatformClient;
  outbox: Outbox;
  drainer: Drainer;
  devices: DeviceManager;
  terminal: { name: string; institutionCode: string };
  clock: Clock;
  log: Logger;
  person: () => Promise<AuthPerson>;
  /** Whether this person has face enrolled: then only a face verification confirms (the strongest factor available). */
  faceEnrolled?: (id: Identity) => boolean;
}

export interface AuthResult {
  state: string;
  message: string | null;
  sn: string | null;
}

interface Ticket {
  psnNo: string;
  issuedAt: number;
  run: Promise<AuthResult> | null;
}

const splitList = (s: string) => s.split(',').filter(Boolean);

export class AuthorisationService {
  private readonly tickets = new Map<string, Ticket>();

  constructor(private readonly d: AuthorisationDeps) {
    const forget = () => this.tickets.clear();
    d.session.on('ended', forget);
    d.session.on('changed', forget);
  }

  /** What the form offers, the classification behind it and the agreement to read. */
  options() {
    return {
      grantees: GRANTEES.map(({ code, name, kind }) => ({ code, name, purposes: PURPOSES.filter((p) => p.for.includes(kind)).map((p) => p.code) })),
      purposes: PURPOSES.map(({ code, name }) => ({ code, name })),
      items: DATA_ITEMS.map(({ key, name, level, fields }) => ({ key, name, level, fields: [...fields] })),
      levels: Object.values(LEVEL_RULES).map((r) => ({ ...r })),
      medTypes: AUTH_MED_TYPES.map((code) => ({ code, name: nameOf('med_type', code) })),
      periods: [...AUTH_PERIOD_DAYS],
      frequency: { perDay: { ...FREQUENCY_BOUNDS.perDay }, total: { ...FREQUENCY_BOUNDS.total } },
      agreement: { version: CURRENT_AGREEMENT.version, title: CURRENT_AGREEMENT.title, paragraphs: [...CURRENT_AGREEMENT.paragraphs] },
      today: beijingDate(this.d.clock.now()),
    };
  }

  /** Every authorisation the person signed, for themselves or as a guardian, with its levels, limits and state. */
  async list() {
    const p = await this.d.person();
    const rows = (await this.d.client.query('X5901', { data: { psn_no: p.psnNo } }, { insuplcAdmdvs: p.admdvs })).auth;
    return rows.map((a) => {
      const items = splitList(a.items);
      return {
        sn: a.auth_sn,
        grantee: a.grantee_name,
        purpose: purposeOf(a.purpose)?.name ?? '其他用途',
        items: items.map((k) => ({ key: k, name: itemOf(k)?.name ?? '其他信息', level: itemOf(k)?.level ?? 3 })),
        levels: levelsOf(items),
        medTypes: splitList(a.med_types).map((m) => nameOf('med_type', m)),
        from: a.begndate,
        to: a.enddate,
        perDay: a.day_lmt,
        total: a.total_lmt,
        used: a.used_cnt,
        state: a.state,
        subject: { self: a.psn_no === p.psnNo, maskedName: maskName(a.psn_name) },
        agreementVersion: a.agre_ver,
        verifiedBy: a.verify_way === 'face' ? ('face' as const) : ('card-pin' as const),
        signedAt: a.crte_time,
      };
    });
  }

  /**
   * 预览: what a third party would receive under these items and medical types — each item's
   * fields and level, and how many of the person's records it holds now (the platform counts).
   */
  async preview(items: string[], medTypes: string[]) {
    const chosen = items.map((k) => {
      const it = itemOf(k);
      if (!it) throw new BridgeError('BRIDGE_BAD_PAYLOAD', `unknown item ${k}`);
      if (!LEVEL_RULES[it.level].thirdParty) throw new BridgeError('AUTH_LEVEL_FORBIDDEN', `${it.name}不能授权第三方查询`);
      return it;
    });
    if (!chosen.length) throw new BridgeError('BRIDGE_BAD_PAYLOAD', 'choose at least one item');
    if (medTypes.some((m) => !(AUTH_MED_TYPES as readonly string[]).includes(m))) throw new BridgeError('BRIDGE_BAD_PAYLOAD', 'unknown medical type');
    const p = await this.d.person();
    const out = await this.d.client.query(
      'X5903',
      { data: { psn_no: p.psnNo, items: chosen.map((c) => c.key).join(','), ...(medTypes.length ? { med_types: medTypes.join(',') } : {}) } },
      { insuplcAdmdvs: p.admdvs },
    );
    return chosen.map((c) => ({
      key: c.key,
      name: c.name,
      level: c.level,
      fields: [...c.fields],
      records: out.preview.find((x) => x.item === c.key)?.records ?? 0,
      medTypes: LEVEL_RULES[c.level].medTypes ? medTypes.map((m) => nameOf('med_type', m)) : [],
    }));
  }

  /** The usage log of one authorisation: every query, allowed or refused. */
  async usage(sn: string) {
    const p = await this.d.person();
    const rows = (await this.d.client.query('X5902', { data: { psn_no: p.psnNo, auth_sn: sn } }, { insuplcAdmdvs: p.admdvs })).use;
    return rows.map((u) => ({
      traceId: u.trace_id,
      at: u.use_time,
      grantee: u.grantee_name,
      items: splitList(u.items).map((k) => itemOf(k)?.name ?? '其他信息'),
      medTypes: splitList(u.med_types).map((m) => nameOf('med_type', m)),
      allowed: u.use_rslt === '1',
      reason: u.refuse_reason,
    }));
  }

  /** Opens the form: the ticket its submission must carry. */
  async open(): Promise<{ ticket: string }> {
    const p = await this.d.person();
    const now = this.d.clock.now();
    for (const [k, t] of this.tickets) if (now - t.issuedAt > TICKET_TTL_MS) this.tickets.delete(k);
    while (this.tickets.size >= MAX_TICKETS) this.tickets.delete(this.tickets.keys().next().value!);
    const ticket = randomUUID();
    this.tickets.set(ticket, { psnNo: p.psnNo, issuedAt: now, run: null });
    return { ticket };
  }

  /**
   * Makes the authorisation of a ticket: checked here, confirmed by a fresh verification (used
   * up), sent once. A second or concurrent submit of the ticket gets the first one's answer.
   */
  async authorise(ticketId: string, req: GrantRequest): Promise<AuthResult> {
    const t = this.tickets.get(ticketId);
    if (!t || this.d.clock.now() - t.issuedAt > TICKET_TTL_MS) throw new BridgeError('AUTH_TICKET_UNKNOWN', 'this form has expired: open it again');
    if (!t.run) {
      const p = await this.d.person();
      if (p.psnNo !== t.psnNo) throw new BridgeError('SESSION_NONE', 'the form belongs to another person');
      // Checked again after the await: a concurrent submit may have started the run meanwhile.
      if (!t.run) {
        const grant = validateGrant(req, beijingDate(this.d.clock.now()), { idNumber: p.certno });
        // The strongest factor this person has: face (with its challenge) when enrolled, else card + PIN.
        const faceRequired = !!this.d.session.current && !!this.d.faceEnrolled?.(this.d.session.current);
        const how = this.d.session.takeVerification(AUTH_VERIFY_WINDOW_MS);
        if (!how) throw new BridgeError('AUTH_VERIFICATION_REQUIRED', '授权须先刷脸或输入社保卡密码确认是本人');
        if (faceRequired && how !== 'face') throw new BridgeError('AUTH_FACE_REQUIRED', '您已开通刷脸，授权须刷脸确认本人');
        const name = grant.grantee.kind === 'employer' ? (p.empName ?? grant.grantee.name) : grant.grantee.name;
        const data: Record<string, unknown> = {
          psn_no: p.psnNo,
          auth_ref: ticketId.replaceAll('-', ''),
          grantee_code: grant.grantee.code,
          grantee_name: name,
          purpose: grant.purpose,
          items: grant.items.join(','),
          ...(grant.medTypes.length ? { med_types: grant.medTypes.join(',') } : {}),
          begndate: grant.begin,
          enddate: grant.end,
          ...(grant.perDay !== null ? { day_lmt: grant.perDay } : {}),
          ...(grant.total !== null ? { total_lmt: grant.total } : {}),
          agre_ver: CURRENT_AGREEMENT.version,
          agre_hash: agreementHash(CURRENT_AGREEMENT),
          verify_way: how,
          ...(grant.ward ? { ward_certno: grant.ward.idNumber, ward_name: grant.ward.name } : {}),
        };
        const run = this.runRecord({
          infno: 'X2901',
          input: { data },
          psnNo: p.psnNo,
          insuplcAdmdvs: p.admdvs,
          label: `个人信息授权 ${name}`,
          ref: String(data.auth_ref),
        });
        t.run = run;
        // A run that failed without an answer may be sent again under the same ticket; an answered one may not.
        run.catch(() => {
          if (t.run === run) t.run = null;
        });
        this.d.log.info('kiosk.authorise', { grantee: grant.grantee.code, levels: grant.levels, ward: !!grant.ward, how });
      }
    }
    return t.run!;
  }

  async revoke(sn: string): Promise<AuthResult> {
    const p = await this.d.person();
    return this.runRecord({
      infno: 'X2902',
      input: { data: { psn_no: p.psnNo, auth_sn: sn } },
      psnNo: p.psnNo,
      insuplcAdmdvs: p.admdvs,
      label: '撤销个人信息授权',
    });
  }

  /**
   * 个人信息授权书: the authorisation as printed, its main terms signed by the platform (X9301) so
   * `estation verify` and the platform's /verify page accept it and a changed digit fails. No
   * platform, no code: the paper then says so.
   */
  async print(sn: string): Promise<{ jobId: string }> {
    const p = await this.d.person();
    const printer = this.d.devices.printer;
    if (!printer) throw new BridgeError('PRINTER_ABSENT', 'the printer is not connected');
    const a = (await this.list()).find((x) => x.sn === sn);
    if (!a) throw new BridgeError('AUTH_NOT_FOUND', 'no such authorisation');
    const doc: DocumentContent = {
      kind: 'data-authorisation',
      issuer: this.d.terminal.institutionCode,
      issuedAt: infTime(this.d.clock.now()),
      fields: authorisationFields(a, { name: p.name, certno: p.certno }),
    };
    const canonical = canonicalDocument(doc);
    const sealed = await this.d.client.query('X9301', { data: { doc: canonical } }).then(
      (s) => sealedDocument(canonical, s.sign.signature, s.sign.key_id),
      (err: unknown) => {
        if (!(err instanceof PlatformError)) throw err;
        this.d.log.warn('kiosk.authorisation_unsigned', { code: err.code, message: err.message });
        return null;
      },
    );
    const receipt = new ReceiptBuilder().init().chinese().align('center').size(2, 2).line('个人信息授权书').size(1, 1).rule('=').align('left');
    for (const f of doc.fields) receipt.pair(f.label, f.value);
    receipt.rule().line('授权查询的信息');
    for (const i of a.items) receipt.pair(`  ${LEVEL_RULES[i.level as 1 | 2 | 3 | 4].name}`, i.name);
    if (a.medTypes.length) receipt.pair('医疗类别', a.medTypes.join('、'));
    receipt.pair('用途', a.purpose).pair('确认方式', a.verifiedBy === 'face' ? '刷脸' : '社保卡密码');
    receipt.pair('打印时间', `${doc.issuedAt}（北京时间）`).pair('出具机构', doc.issuer).rule();
    for (const line of agreementText(CURRENT_AGREEMENT).split('\n')) receipt.line(line);
    receipt.rule().align('center');
    if (sealed) receipt.line('扫码核验授权书真伪').qr(sealed.payload).line(`核验码 ${sealed.verificationCode}`);
    else receipt.line('核验码待平台签发');
    const jobId = `auth-${sn}-${this.d.clock.now()}`;
    printer.print(jobId, receipt.cut().bytes());
    return { jobId };
  }

  private async runRecord(payload: RecordPayload): Promise<AuthResult> {
    const item = this.d.outbox.enqueue(RECORD_KIND, payload.psnNo, payload);
    const done = await this.d.drainer.settleNow(item.itemId, 20_000);
    this.d.log.info('kiosk.record', { infno: payload.infno, state: done.state });
    const result = done.result as { result?: { auth_sn?: string } } | null;
    return { state: done.state, message: done.state === 'failed-business' ? done.reason : null, sn: result?.result?.auth_sn ?? null };
  }
}

/**
 * The signed part of the paper: what identifies the authorisation and its limits, short enough
 * for the QR code (main/documents: QR_PAYLOAD_BUDGET). Names and ID numbers masked as printed.
 */
export function authorisationFields(
  a: {
    sn: string;
    grantee: string;
    levels: number[];
    from: string;
    to: string;
    perDay: number | null;
    total: number | null;
    agreementVersion: string;
    subject: { self: boolean; maskedName: string };
  },
  signer: { name: string; certno: string },
): { label: string; value: string }[] {
  const limits = [a.perDay !== null ? `每日${a.perDay}次` : '', a.total !== null ? `共${a.total}次` : ''].filter(Boolean).join('，') || '不限';
  return [
    { label: '授权编号', value: a.sn },
    { label: '授权人', value: maskName(signer.name) },
    { label: '证件号码', value: maskIdNumber(signer.certno) },
    ...(a.subject.self ? [] : [{ label: '信息主体', value: a.subject.maskedName }]),
    { label: '被授权方', value: a.grantee },
    { label: '信息等级', value: `${a.levels.join('、')}级` },
    { label: '有效期', value: `${a.from}至${a.to}` },
    { label: '查询次数', value: limits },
    { label: '协议版本', value: a.agreementVersion },
  ];
}
