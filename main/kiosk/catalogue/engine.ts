/**
 * Runs any service declaration: who may open it, the form main hands out (with a ticket main
 * issued), validation of what comes back (fields, then the declaration's rules), the platform
 * call (a query directly; a record change through the outbox, once per ticket), and the answer as
 * display strings: names instead of codes, dates in Beijing time, money as ¥ from fen.
 */
import { randomUUID } from 'node:crypto';
import { BridgeError } from '../../bridge/contract/errors';
import { formatMoney } from '../../bridge/contract/money';
import { maskIdNumber, maskName } from '../../bridge/contract/mask';
import { isValidIdNumber } from '../../bridge/contract/id-number';
import type { Clock } from '../../ground/clock';
import type { Logger } from '../../ground/logger';
import { beijingDate, infTime } from '../../platform/envelope';
import type { PlatformClient } from '../../platform/client';
import type { ResidentSession } from '../../session/session';
import type { Outbox } from '../../outbox/outbox';
import type { Drainer } from '../../outbox/drainer';
import { RECORD_KIND, type RecordPayload } from '../record';
import { MONEY_OR_RECORD, transactions } from '../../platform/schemas';
import { isServiceInfno } from '../../platform/service-transactions';
import { nameOf, optionsOf } from './dictionaries';
import type { FieldDecl, RuleDecl, ServiceDecl, ShowDecl, Template } from './types';

/** Who the service is for, as the engine needs it. */
export interface CataloguePerson {
  psnNo: string;
  name: string;
  certno: string;
  gender: string;
  age: number;
  insutype: string;
  admdvs: string;
  psnType: string;
  empName: string | null;
}

export interface ServiceListItem {
  id: string;
  name: string;
  en: string;
  category: ServiceDecl['category'];
  rank: number;
  identity: ServiceDecl['identity'];
  /** A service with its own screen (payment QR, face, family binding), or null for the generic form. */
  screen: string | null;
  /** null: may be opened now; otherwise why not, in plain Chinese. */
  unavailable: string | null;
}

export interface FieldView {
  key: string;
  label: string;
  kind: FieldDecl['kind'];
  required: boolean;
  options: { code: string; name: string }[] | null;
  when: { field: string; in: string[] } | null;
  maxLength: number;
  help: string | null;
  initial: string | null;
  /** Filled in by main from a proven credential (the 代办人 of 亲友代办): shown, not edited. */
  fixed?: boolean;
}

export interface ServiceView {
  ticket: string;
  id: string;
  name: string;
  category: ServiceDecl['category'];
  prompt: string;
  identity: ServiceDecl['identity'];
  fields: FieldView[];
  printable: boolean;
}

export interface ResultView {
  ticket: string;
  title: string;
  state: 'done' | 'refused' | 'pending';
  message: string | null;
  columns: { key: string; label: string }[] | null;
  rows: Record<string, string>[] | null;
  fields: { label: string; value: string }[] | null;
  printable: boolean;
}

type Answer = Record<string, unknown>;

interface Ticket {
  decl: ServiceDecl;
  psnNo: string | null;
  issuedAt: number;
  /** The one run of this ticket: repeated and concurrent submits share it. */
  run: Promise<{ view: ResultView; answer: Answer; values: Record<string, string> }> | null;
  printed: { jobId: string } | null;
}

const TICKET_TTL_MS = 30 * 60_000;
const MAX_TICKETS = 200;
const MAX_VALUE = 500;

export class ServiceFormError extends BridgeError {
  constructor(
    message: string,
    readonly field: string | null,
  ) {
    // The message is for the resident (Chinese); details name the field for the form to mark.
    super('SERVICE_FORM_INVALID', message, field ? [{ path: field, message }] : undefined);
  }
}

export interface CatalogueDeps {
  declarations: readonly ServiceDecl[];
  session: ResidentSession;
  client: PlatformClient;
  outbox: Outbox;
  drainer: Drainer;
  clock: Clock;
  log: Logger;
  /** The session's person with the selected insurance record (1101, cached by the kiosk). */
  person(): Promise<CataloguePerson>;
  /** Prints a titled paper of label/value lines; returns the print job. */
  print(title: string, lines: { label: string; value: string }[]): { jobId: string };
  /** How long a face or card-PIN verification counts. */
  verifyWindowMs: number;
  /** The helper who proved themselves for this session (亲友代办), or null. */
  agent?: () => { name: string; idNumber: string } | null;
}

/** The form fields a proven helper fills in (the declarations' 代办人 block). */
const AGENT_FIELDS = ['agent', 'agnter_name', 'agnter_certno'] as const;
const takesAgent = (decl: ServiceDecl) => AGENT_FIELDS.every((k) => (decl.form ?? []).some((f) => f.key === k));

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PHONE = /^1[3-9]\d{9}$/;

/** Control characters have no place in a form value (a line break only in a text area). */
function hasControl(s: string, lineBreaks: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && !(lineBreaks && c === 0x0a)) || c === 0x7f) return true;
  }
  return false;
}

const dayMs = 86_400_000;
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / dayMs);

export class CatalogueEngine {
  private readonly byId = new Map<string, ServiceDecl>();
  private readonly tickets = new Map<string, Ticket>();

  constructor(private readonly d: CatalogueDeps) {
    for (const decl of d.declarations) {
      if (this.byId.has(decl.id)) throw new Error(`service ${decl.id} is declared twice`);
      const problem = inconsistency(decl);
      if (problem) throw new Error(`service ${decl.id}: ${problem}`);
      this.byId.set(decl.id, decl);
    }
    const forget = () => {
      for (const [k, t] of this.tickets) if (t.psnNo !== null) this.tickets.delete(k);
    };
    d.session.on('ended', forget);
    d.session.on('changed', forget);
  }

  /** The home screen: every service, most used first, each saying whether it may be opened now. */
  async list(): Promise<ServiceListItem[]> {
    const person = this.d.session.current ? await this.d.person().catch(() => null) : null;
    return [...this.byId.values()]
      .sort((a, b) => a.rank - b.rank || a.row - b.row)
      .map((s) => ({
        id: s.id,
        name: s.name,
        en: s.en,
        category: s.category,
        rank: s.rank,
        identity: s.identity,
        screen: s.screen ?? null,
        unavailable: this.why(s, person),
      }));
  }

  private why(s: ServiceDecl, person: CataloguePerson | null): string | null {
    if (s.identity === 'public') return null;
    if (!person) return '请先刷身份证、社保卡、医保码或刷脸';
    const a = s.audience;
    if (!a) return null;
    if (a.insutypes && !a.insutypes.includes(person.insutype))
      return a.refusal ?? `本业务仅限${a.insutypes.map((t) => nameOf('insutype', t)).join('、')}参保人员办理`;
    if (a.minAge !== undefined && person.age < a.minAge) return a.refusal ?? `本业务须年满 ${a.minAge} 周岁`;
    if (a.maxAge !== undefined && person.age > a.maxAge) return a.refusal ?? `本业务限 ${a.maxAge} 周岁以下`;
    return null;
  }

  /** Opens a service: checks who may, and issues the ticket its submission must carry. */
  async open(id: string): Promise<ServiceView> {
    const decl = this.byId.get(id);
    if (!decl) throw new BridgeError('SERVICE_UNKNOWN', `no service ${id}`);
    if (!decl.tx) throw new BridgeError('SERVICE_HAS_OWN_SCREEN', `${decl.name} has its own screen (${decl.screen})`);
    const person = decl.identity === 'public' ? null : await this.requirePerson();
    const why = this.why(decl, person);
    if (why) throw new BridgeError('SERVICE_NOT_ELIGIBLE', why);
    this.sweep();
    const ticket = randomUUID();
    this.tickets.set(ticket, { decl, psnNo: person?.psnNo ?? null, issuedAt: this.d.clock.now(), run: null, printed: null });
    const today = beijingDate(this.d.clock.now());
    const agent = takesAgent(decl) ? (this.d.agent?.() ?? null) : null;
    const fixedValue: Record<string, string> = agent ? { agent: '1', agnter_name: maskName(agent.name), agnter_certno: maskIdNumber(agent.idNumber) } : {};
    return {
      ticket,
      id: decl.id,
      name: decl.name,
      category: decl.category,
      prompt: decl.prompt,
      identity: decl.identity,
      printable: !!decl.print,
      fields: (decl.form ?? []).map((f) => ({
        key: f.key,
        label: f.label,
        kind: f.kind,
        required: f.required ?? false,
        options: f.dict ? optionsOf(f.dict, f.only) : null,
        when: f.when ? { field: f.when.field, in: [...f.when.in] } : null,
        maxLength: f.maxLength ?? (f.kind === 'textarea' ? 300 : 50),
        help: f.help ?? null,
        initial: fixedValue[f.key] ?? (f.initial === '$today' ? today : f.initial === '$year' ? today.slice(0, 4) : null),
        ...(fixedValue[f.key] !== undefined ? { fixed: true } : {}),
      })),
    };
  }

  private async requirePerson(): Promise<CataloguePerson> {
    if (!this.d.session.current) throw new BridgeError('SESSION_NONE', 'nobody is identified');
    return this.d.person();
  }

  private sweep(): void {
    const now = this.d.clock.now();
    for (const [k, t] of this.tickets) if (now - t.issuedAt > TICKET_TTL_MS) this.tickets.delete(k);
    while (this.tickets.size >= MAX_TICKETS) this.tickets.delete(this.tickets.keys().next().value!);
  }

  private ticket(id: string): Ticket {
    const t = this.tickets.get(id);
    if (!t || this.d.clock.now() - t.issuedAt > TICKET_TTL_MS)
      throw new BridgeError('SERVICE_TICKET_UNKNOWN', 'this form has expired: please open the service again');
    // Tickets of a person are dropped when the session ends or changes; this is the gap between.
    if (t.psnNo !== null && !this.d.session.current) throw new BridgeError('SESSION_NONE', 'nobody is identified');
    return t;
  }

  /**
   * Submits a form. A ticket runs once: a second or concurrent submit gets the first one's answer,
   * so a double tap files one application.
   */
  async submit(ticketId: string, raw: Record<string, unknown>): Promise<ResultView> {
    const t = this.ticket(ticketId);
    if (!t.run) {
      // A proven helper is filed as 代办人 from their credential, whatever the form sent for them.
      const agent = takesAgent(t.decl) ? (this.d.agent?.() ?? null) : null;
      if (agent) raw = { ...raw, agent: '1', agnter_name: agent.name, agnter_certno: agent.idNumber };
      const values = this.validate(t.decl, raw);
      const run = this.run(ticketId, t, values);
      t.run = run;
      // A refused form may be corrected and sent again under the same ticket; an answered one may not.
      run.catch(() => {
        if (t.run === run) t.run = null;
      });
    }
    return (await t.run).view;
  }

  /** Checks each declared field, then the declaration's rules; unknown keys are refused. */
  validate(decl: ServiceDecl, raw: Record<string, unknown>): Record<string, string> {
    const form = decl.form ?? [];
    const known = new Set(form.map((f) => f.key));
    for (const k of Object.keys(raw)) if (!known.has(k)) throw new ServiceFormError('不是本表单的内容', k);
    const out: Record<string, string> = {};
    const today = beijingDate(this.d.clock.now());
    for (const f of form) {
      const v = raw[f.key];
      const asked = !f.when || f.when.in.includes(String(raw[f.when.field] ?? ''));
      if (!asked) continue;
      if (v === undefined || v === null || v === '' || v === false) {
        if (f.required)
          throw new ServiceFormError(f.kind === 'commit' ? `请阅读并勾选"${f.label}"` : f.kind === 'select' ? `请选择${f.label}` : `请填写${f.label}`, f.key);
        continue;
      }
      if (f.kind === 'commit') {
        if (v !== true) throw new ServiceFormError(`请勾选"${f.label}"`, f.key);
        out[f.key] = '1';
        continue;
      }
      if (typeof v !== 'string') throw new ServiceFormError(`${f.label}格式不对`, f.key);
      const s = v.trim();
      if (s.length > (f.maxLength ?? (f.kind === 'textarea' ? 300 : 50)) || s.length > MAX_VALUE) throw new ServiceFormError(`${f.label}太长`, f.key);
      if (hasControl(s, f.kind === 'textarea')) throw new ServiceFormError(`${f.label}含有不能识别的字符`, f.key);
      switch (f.kind) {
        case 'phone':
          if (!PHONE.test(s)) throw new ServiceFormError(`${f.label}应为 11 位手机号码`, f.key);
          break;
        case 'idno':
          if (!isValidIdNumber(s)) throw new ServiceFormError(`${f.label}不是有效的 18 位身份证号码`, f.key);
          break;
        case 'date':
          if (!DATE.test(s) || Number.isNaN(Date.parse(`${s}T00:00:00Z`)) || new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) !== s)
            throw new ServiceFormError(`${f.label}应为 年-月-日`, f.key);
          break;
        case 'year':
          if (!/^\d{4}$/.test(s) || Number(s) < 1990 || Number(s) > Number(today.slice(0, 4)) + 1) throw new ServiceFormError(`${f.label}不是有效年份`, f.key);
          break;
        case 'money': {
          const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(s);
          if (!m || Number(s) <= 0) throw new ServiceFormError(`${f.label}应为金额（元），如 128.50`, f.key);
          out[f.key] = String(Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')));
          continue;
        }
        case 'select':
          if (!optionsOf(f.dict!, f.only).some((o) => o.code === s)) throw new ServiceFormError(`请从列表中选择${f.label}`, f.key);
          break;
        default:
          break;
      }
      out[f.key] = s;
    }
    for (const r of decl.rules ?? []) this.check(r, out, today);
    return out;
  }

  private check(r: RuleDecl, v: Record<string, string>, today: string): void {
    const fail = (field: string | null) => {
      throw new ServiceFormError(r.message, field);
    };
    switch (r.kind) {
      case 'date-order':
        if (v[r.from] && v[r.to] && v[r.to]! < v[r.from]!) fail(r.to);
        break;
      case 'max-days':
        if (v[r.from] && v[r.to] && daysBetween(v[r.from]!, v[r.to]!) > r.days) fail(r.to);
        break;
      case 'min-days':
        if (v[r.from] && v[r.to] && daysBetween(v[r.from]!, v[r.to]!) < r.days) fail(r.to);
        break;
      case 'not-before-today':
        if (v[r.field] && v[r.field]! < today) fail(r.field);
        break;
      case 'not-after-today':
        if (v[r.field] && v[r.field]! > today) fail(r.field);
        break;
      case 'within-days-of-today':
        if (v[r.field] && Math.abs(daysBetween(v[r.field]!, today)) > r.days) fail(r.field);
        break;
      case 'refuse-when':
        if (r.in.includes(v[r.field] ?? '')) fail(r.field);
        break;
      case 'any-of':
        if (!r.fields.some((f) => v[f])) fail(r.fields[0] ?? null);
        break;
    }
  }

  private async run(ticketId: string, t: Ticket, values: Record<string, string>) {
    const decl = t.decl;
    const person = decl.identity === 'public' ? null : await this.requirePerson();
    if (person && person.psnNo !== t.psnNo) throw new BridgeError('SESSION_NONE', 'the form belongs to another person');
    if (decl.identity === 'verified' && !this.d.session.takeVerification(this.d.verifyWindowMs))
      throw new BridgeError('AUTH_VERIFICATION_REQUIRED', '本业务须先刷脸或输入社保卡密码确认是本人');
    const now = this.d.clock.now();
    const vars = this.vars(person, values, ticketId, now);
    const tx = decl.tx!;
    const input = resolve(tx.input, vars) as Record<string, unknown>;
    let answer: Answer;
    if (tx.record) {
      const payload: RecordPayload = {
        infno: tx.infno as RecordPayload['infno'],
        input,
        psnNo: person?.psnNo ?? 'PUBLIC',
        insuplcAdmdvs: person?.admdvs ?? '',
        label: decl.name,
        ref: vars.ref,
      };
      const item = this.d.outbox.enqueue(RECORD_KIND, payload.psnNo, payload);
      const done = await this.d.drainer.settleNow(item.itemId, 20_000);
      this.d.log.info('kiosk.service', { service: decl.id, infno: tx.infno, state: done.state });
      if (done.state === 'failed-business') {
        const view = this.view(ticketId, decl, 'refused', done.reason ?? '平台未受理', {});
        return { view, answer: {}, values };
      }
      if (done.state !== 'done') {
        const view = this.view(ticketId, decl, 'pending', '已提交，网络恢复后自动送达平台，可在"办件进度查询"中查看', {});
        return { view, answer: {}, values };
      }
      answer = (done.result ?? {}) as Answer;
    } else {
      try {
        answer = (await this.d.client.queryService(tx.infno, input, person ? { insuplcAdmdvs: person.admdvs } : {})) as Answer;
      } catch (err) {
        const e = err as { code?: string; message?: string };
        if (e.code === 'PLATFORM_BUSINESS_ERROR') return { view: this.view(ticketId, decl, 'refused', e.message ?? '平台未受理', {}), answer: {}, values };
        throw err;
      }
      this.d.log.info('kiosk.service', { service: decl.id, infno: tx.infno, state: 'done' });
    }
    return { view: this.view(ticketId, decl, 'done', null, answer, person), answer, values };
  }

  private vars(person: CataloguePerson | null, values: Record<string, string>, ticket: string, now: number): Record<string, string> {
    const today = beijingDate(now);
    const v: Record<string, string> = {
      today,
      year: today.slice(0, 4),
      ym: today.slice(0, 7).replace('-', ''),
      now: infTime(now),
      ref: ticket.replaceAll('-', '').slice(0, 30),
    };
    if (person)
      Object.assign(v, {
        psn_no: person.psnNo,
        insutype: person.insutype,
        admdvs: person.admdvs,
        name: person.name,
        certno: person.certno,
        psn_type: person.psnType,
      });
    for (const [k, x] of Object.entries(values)) v[`f.${k}`] = x;
    return v;
  }

  private view(
    ticket: string,
    decl: ServiceDecl,
    state: ResultView['state'],
    message: string | null,
    answer: Answer,
    person?: CataloguePerson | null,
  ): ResultView {
    const base = { ticket, title: decl.name, state, message, columns: null, rows: null, fields: null, printable: false };
    if (state !== 'done') return base;
    const r = decl.result ?? { kind: 'done' as const, message: '办理成功' };
    if (r.kind === 'table') {
      const list = pick(answer, r.list);
      const rows = Array.isArray(list)
        ? (list as Answer[]).slice(0, 200).map((row) => Object.fromEntries(r.columns.map((c) => [c.key, show(c, row[c.key])])))
        : [];
      return {
        ...base,
        message: rows.length ? null : r.empty,
        columns: r.columns.map((c) => ({ key: c.key, label: c.label })),
        rows,
        printable: !!decl.print && rows.length > 0,
      };
    }
    if (r.kind === 'fields') {
      const from = (r.from ? pick(answer, r.from) : answer) as Answer | undefined;
      const src: Answer = { ...(person ? { name: person.name, certno: person.certno } : {}), ...(from ?? {}) };
      return { ...base, fields: r.fields.map((f) => ({ label: f.label, value: show(f, src[f.key]) })), printable: !!decl.print };
    }
    const flat = { ...flatten(answer) };
    return { ...base, message: r.message.replace(/\{(\w+)\}/g, (_, k: string) => String(flat[k] ?? '')), printable: !!decl.print };
  }

  /** Prints the answer of a submitted ticket, once; asking again returns the same job. */
  async print(ticketId: string): Promise<{ jobId: string }> {
    const t = this.ticket(ticketId);
    if (!t.decl.print) throw new BridgeError('SERVICE_NOT_PRINTABLE', `${t.decl.name}没有打印件`);
    if (!t.run) throw new BridgeError('SERVICE_NOT_SUBMITTED', 'submit the form first');
    const { view } = await t.run;
    if (view.state !== 'done') throw new BridgeError('SERVICE_NOT_SUBMITTED', 'nothing to print: the service was not completed');
    if (t.printed) return t.printed;
    const person = t.decl.identity === 'public' ? null : await this.requirePerson();
    const lines: { label: string; value: string }[] = [];
    if (person) lines.push({ label: '姓名', value: person.name }, { label: '证件号码', value: maskIdNumber(person.certno) });
    for (const l of t.decl.print.lines) lines.push({ label: '', value: l });
    if (view.fields) lines.push(...view.fields);
    if (view.rows && view.columns)
      for (const row of view.rows) lines.push({ label: '', value: view.columns.map((c) => `${c.label} ${row[c.key]}`).join('  ') });
    if (view.message) lines.push({ label: '', value: view.message });
    t.printed = this.d.print(t.decl.print.title, lines);
    return t.printed;
  }
}

/** What is wrong with a declaration that its schema cannot see (fields named by rules, transactions), or null. */
export function inconsistency(decl: ServiceDecl): string | null {
  const keys = new Set((decl.form ?? []).map((f) => f.key));
  if (keys.size !== (decl.form ?? []).length) return 'two fields share a key';
  for (const f of decl.form ?? []) {
    if (f.kind === 'select' && !f.dict) return `field ${f.key} is a select without a dictionary`;
    if (f.when && !keys.has(f.when.field)) return `field ${f.key} depends on ${f.when.field}, which is not in the form`;
  }
  for (const r of decl.rules ?? []) {
    const named = 'fields' in r ? r.fields : 'field' in r ? [r.field] : [r.from, r.to];
    const missing = named.find((k) => !keys.has(k));
    if (missing) return `rule ${r.kind} names ${missing}, which is not in the form`;
  }
  if (decl.tx && !isServiceInfno(decl.tx.infno) && !Object.hasOwn(transactions, decl.tx.infno))
    return `transaction ${decl.tx.infno} is not part of the interface`;
  if (decl.tx && !!decl.tx.record !== MONEY_OR_RECORD.includes(decl.tx.infno))
    return decl.tx.record
      ? `transaction ${decl.tx.infno} is a query, not a record change`
      : `transaction ${decl.tx.infno} changes records: declare record: true`;
  if (!decl.tx && !decl.screen) return 'neither a transaction nor a screen of its own';
  // Every `$f.x` / `{f.x}` in the request names a field of the form.
  const used = JSON.stringify(decl.tx?.input ?? {}).match(/[$#{]f\.(\w+)/g) ?? [];
  const unknown = used.map((u) => u.replace(/^[$#{]f\./, '')).find((k) => !keys.has(k));
  if (unknown) return `the request uses field ${unknown}, which is not in the form`;
  return null;
}

function pick(o: Answer, path: string): unknown {
  return path.split('.').reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Answer)[k] : undefined), o);
}

function flatten(o: Answer, into: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v as Answer, into);
    else into[k] = v;
  }
  return into;
}

/** One value as the screen shows it. */
export function show(s: ShowDecl, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (s.dict) return nameOf(s.dict, String(v));
  switch (s.format) {
    case 'money':
      return typeof v === 'number' ? formatMoney(v) : '—';
    case 'date':
      return String(v).slice(0, 10);
    case 'datetime':
      return String(v).slice(0, 16);
    case 'percent':
      return `${Math.round(Number(v) * 100)}%`;
    case 'masked-id':
      return maskIdNumber(String(v));
    case 'masked-name':
      return maskName(String(v));
    default:
      return String(v);
  }
}

/** Fills a template: `$name` from the variables; an unset `$f.x` drops its key. */
export function resolve(t: Template, vars: Record<string, string>): unknown {
  if (typeof t === 'string') {
    // `#name`: a number (money in fen); `$name`: a string; `{name}` inside text: interpolated
    // (an unset name drops the whole value).
    if (t.startsWith('#')) return vars[t.slice(1)] === undefined ? undefined : Number(vars[t.slice(1)]);
    if (t.startsWith('$')) return vars[t.slice(1)];
    let missing = false;
    const text = t.replace(/\{([\w.]+)\}/g, (_, k: string) => {
      if (vars[k] === undefined) missing = true;
      return vars[k] ?? '';
    });
    return missing ? undefined : text;
  }
  if (typeof t === 'number') return t;
  if (Array.isArray(t)) return t.map((x) => resolve(x as Template, vars));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t as Record<string, Template>)) {
    const r = resolve(v, vars);
    if (r !== undefined) out[k] = r;
  }
  return out;
}
