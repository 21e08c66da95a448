/**
 * The local 事中审核: the same questions the platform's 3102 asks, answered from the local rule
 * copy and this terminal's own sales. Used when the platform cannot be asked; a sale audited this
 * way is audited again by the platform when it is delivered.
 */
import { ageOn } from '../../bridge/contract/id-number';
import { AUDIT_RULES, DRUG_RULES, SUPPLY_DAYS, type AuditRuleKey } from './library';

export interface AuditLine {
  lineId: string;
  listCode: string;
  name: string;
  packs: number;
  /** fen */
  amount: number;
  /** 药品追溯码 of the boxes, if scanned. */
  traceCodes?: readonly string[];
}

export interface AuditPerson {
  /** '1' male, '2' female, null unknown. */
  sex: '1' | '2' | null;
  /** yyyy-MM-dd, null unknown. */
  birthDate: string | null;
  /** 门诊慢特病 codes on file, null when they could not be read. */
  filings: readonly string[] | null;
}

/** An earlier purchase: its Beijing date and what it held. */
export interface Purchase {
  date: string;
  lines: { listCode: string; packs: number }[];
}

export interface Finding {
  rule: AuditRuleKey;
  lineId: string;
  content: string;
  amount: number;
}

const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

/** Until which day (day number) each drug bought earlier lasts. */
function lastsUntil(history: readonly Purchase[]): Map<string, number> {
  const until = new Map<string, number>();
  const ordered = [...history].sort((a, b) => a.date.localeCompare(b.date));
  for (const p of ordered)
    for (const l of p.lines) {
      const days = DRUG_RULES[l.listCode]?.packDays;
      if (days) until.set(l.listCode, Math.max(until.get(l.listCode) ?? 0, dayOf(p.date)) + Math.round(l.packs * days));
    }
  return until;
}

/**
 * `soldTraces`: 药品追溯码 this terminal has already sold (to anyone): a box seen again is 回流药.
 */
export function auditLocally(
  person: AuditPerson,
  lines: readonly AuditLine[],
  history: readonly Purchase[],
  today: string,
  soldTraces: ReadonlySet<string> = new Set(),
): Finding[] {
  const until = lastsUntil(history);
  const found: Finding[] = [];
  const add = (rule: AuditRuleKey, l: AuditLine, content: string) => found.push({ rule, lineId: l.lineId, content, amount: l.amount });
  for (const l of lines) {
    const again = (l.traceCodes ?? []).filter((t) => soldTraces.has(t));
    if (again.length) add('traceReused', l, `${l.name}的追溯码 ${again.join('、')} 已经结算过`);
    const r = DRUG_RULES[l.listCode];
    if (!r) continue;
    if (r.outsideList) add('outsideList', l, `${l.name}不在基本医保目录内，不能用医保结算`);
    if (r.sex && person.sex && person.sex !== r.sex) add('sexLimited', l, `${l.name}限${r.sex === '2' ? '女性' : '男性'}使用`);
    if (person.birthDate && (r.ageBelow !== undefined || r.ageFrom !== undefined)) {
      const age = ageOn(person.birthDate, today);
      if ((r.ageBelow !== undefined && age >= r.ageBelow) || (r.ageFrom !== undefined && age < r.ageFrom))
        add('ageLimited', l, `${l.name}限${r.ageBelow !== undefined ? `${r.ageBelow} 岁以下` : `${r.ageFrom} 岁以上`}使用，参保人 ${age} 岁`);
    }
    if (r.packDays) {
      const left = (until.get(l.listCode) ?? 0) - dayOf(today);
      if (left > SUPPLY_DAYS.earlyRefill) add('repeated', l, `${l.name}上次购买的药量还可用 ${left} 天`);
      const filed = !!r.filing && !!person.filings && r.filing.some((c) => person.filings!.includes(c));
      const max = filed ? SUPPLY_DAYS.withFiling : SUPPLY_DAYS.usual;
      const days = Math.round(l.packs * r.packDays);
      if (days > max) add('tooMuch', l, `${l.name}本次 ${l.packs} 盒约可用 ${days} 天，超过 ${max} 天`);
    }
    if (r.filing && !(person.filings && r.filing.some((c) => person.filings!.includes(c))))
      add('restricted', l, person.filings ? `${l.name}限定支付范围，参保人没有相应的门诊慢特病备案` : `${l.name}限定支付范围，离线时无法核实门诊慢特病备案`);
  }
  return found;
}

export { AUDIT_RULES };
