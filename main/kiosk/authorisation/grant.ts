/**
 * What main checks of an authorisation before anything is sent: the screen only asks. Every rule
 * of the classification (classification.ts) is applied here, with a Chinese message naming what
 * to change; the platform checks the same rules again with its own copy.
 */
import { BridgeError } from '../../bridge/contract/errors';
import { isValidIdNumber } from '../../bridge/contract/id-number';
import { AUTH_MED_TYPES, FREQUENCY_BOUNDS, itemOf, LEVEL_RULES, levelsOf, type SensitivityLevel } from './classification';
import { CURRENT_AGREEMENT } from './agreement';
import { granteeOf, purposeOf, type Grantee } from './parties';

export interface GrantRequest {
  grantee: string;
  purpose: string;
  items: readonly string[];
  medTypes: readonly string[];
  /** First day, Beijing date yyyy-MM-dd. */
  start: string;
  days: number;
  perDay: number | null;
  total: number | null;
  /** The agreement version the screen showed. */
  agreementVersion: string;
  /** A child under 14 the guardian authorises for, chosen by ID number and name. */
  ward: { idNumber: string; name: string } | null;
}

export interface Grant {
  grantee: Grantee;
  purpose: string;
  items: string[];
  levels: SensitivityLevel[];
  medTypes: string[];
  begin: string;
  end: string;
  perDay: number | null;
  total: number | null;
  ward: { idNumber: string; name: string } | null;
}

/** Periods the screen offers, in days; main accepts any length up to the level's limit. */
export const AUTH_PERIOD_DAYS = [30, 90, 180, 365] as const;
/** An authorisation may start at most this many days ahead. */
export const MAX_START_AHEAD_DAYS = 30;
/** 《个人信息保护法》第31条: under 14 the guardian consents. */
export const WARD_MAX_AGE = 14;

const DAY_MS = 86_400_000;

export class GrantError extends BridgeError {
  constructor(message: string, field: string) {
    super('AUTH_GRANT_INVALID', message, [{ path: field, message }]);
  }
}

/** yyyy-MM-dd plus n days. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && addDays(s, 0) === s;

/** Whole years of age on `today` for someone born on `birth` (both yyyy-MM-dd). */
export function ageOn(birth: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(birth.slice(0, 4));
  return today.slice(5) < birth.slice(5) ? years - 1 : years;
}

/** The birth date an 18-character ID number carries. */
export const birthOf = (idNumber: string) => `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;

/** Checks a request against the classification on `today` (Beijing date); throws GrantError. */
export function validateGrant(req: GrantRequest, today: string, self: { idNumber: string }): Grant {
  const grantee = granteeOf(req.grantee);
  if (!grantee) throw new GrantError('请选择被授权的机构', 'grantee');
  const purpose = purposeOf(req.purpose);
  if (!purpose) throw new GrantError('请选择授权用途', 'purpose');
  if (!purpose.for.includes(grantee.kind)) throw new GrantError(`${grantee.name}不能以“${purpose.name}”为用途查询`, 'purpose');

  if (req.items.length === 0) throw new GrantError('请选择可查询的信息', 'items');
  if (new Set(req.items).size !== req.items.length) throw new GrantError('可查询的信息有重复', 'items');
  for (const key of req.items) {
    const item = itemOf(key);
    if (!item) throw new GrantError('可查询的信息中有不能识别的项目', 'items');
    if (!LEVEL_RULES[item.level].thirdParty) throw new GrantError(`“${item.name}”属于${LEVEL_RULES[item.level].name}信息，不能授权第三方查询`, 'items');
  }
  const levels = levelsOf(req.items);
  const rules = levels.map((l) => LEVEL_RULES[l]);

  const wantsMedTypes = rules.some((r) => r.medTypes);
  if (new Set(req.medTypes).size !== req.medTypes.length) throw new GrantError('医疗类别有重复', 'medTypes');
  if (wantsMedTypes) {
    if (req.medTypes.length === 0) throw new GrantError('授权查询就医信息时，请选择医疗类别', 'medTypes');
    if (req.medTypes.some((m) => !(AUTH_MED_TYPES as readonly string[]).includes(m))) throw new GrantError('医疗类别中有不能识别的项目', 'medTypes');
  } else if (req.medTypes.length > 0) throw new GrantError('未授权就医信息时，不需选择医疗类别', 'medTypes');

  if (!isDate(req.start)) throw new GrantError('授权开始日期应为 年-月-日', 'start');
  if (req.start < today) throw new GrantError('授权开始日期不能早于今天', 'start');
  if (req.start > addDays(today, MAX_START_AHEAD_DAYS)) throw new GrantError(`授权开始日期最晚为 ${MAX_START_AHEAD_DAYS} 天后`, 'start');
  const maxDays = Math.min(...rules.map((r) => r.maxDays));
  if (!Number.isInteger(req.days) || req.days < 1) throw new GrantError('请选择授权期限', 'days');
  if (req.days > maxDays) {
    const strictest = rules.find((r) => r.maxDays === maxDays)!;
    throw new GrantError(`含${strictest.name}信息的授权期限最长 ${maxDays} 天`, 'days');
  }

  const bounded = (v: number | null, b: { min: number; max: number }, label: string, field: string) => {
    if (v === null) return;
    if (!Number.isInteger(v) || v < b.min || v > b.max) throw new GrantError(`${label}应为 ${b.min} 到 ${b.max} 次`, field);
  };
  bounded(req.perDay, FREQUENCY_BOUNDS.perDay, '每日查询次数', 'perDay');
  bounded(req.total, FREQUENCY_BOUNDS.total, '累计查询次数', 'total');
  const limited = rules.find((r) => r.frequencyLimit);
  if (limited && req.perDay === null && req.total === null) throw new GrantError(`含${limited.name}信息的授权须限定查询次数`, 'perDay');
  if (req.perDay !== null && req.total !== null && req.perDay > req.total) throw new GrantError('每日查询次数不能多于累计查询次数', 'perDay');

  if (req.agreementVersion !== CURRENT_AGREEMENT.version) throw new BridgeError('AUTH_AGREEMENT_CHANGED', 'the agreement changed: read it again');

  let ward: Grant['ward'] = null;
  if (req.ward) {
    const idNumber = req.ward.idNumber.trim().toUpperCase();
    const name = req.ward.name.trim();
    if (!isValidIdNumber(idNumber)) throw new GrantError('子女的身份证号码不是有效的 18 位号码', 'ward.idNumber');
    if (!/^[\u3400-\u9fff·]{2,15}$/u.test(name)) throw new GrantError('请填写子女的姓名', 'ward.name');
    if (idNumber === self.idNumber) throw new GrantError('为本人授权请选择“本人”', 'ward.idNumber');
    const birth = birthOf(idNumber);
    if (!isDate(birth) || birth > today) throw new GrantError('子女的身份证号码不是有效的 18 位号码', 'ward.idNumber');
    if (ageOn(birth, today) >= WARD_MAX_AGE) throw new GrantError(`年满 ${WARD_MAX_AGE} 周岁的子女须本人办理授权`, 'ward.idNumber');
    ward = { idNumber, name };
  }

  return {
    grantee,
    purpose: purpose.code,
    items: [...req.items],
    levels,
    medTypes: wantsMedTypes ? [...req.medTypes] : [],
    begin: req.start,
    end: addDays(req.start, req.days - 1),
    perDay: req.perDay,
    total: req.total,
    ward,
  };
}
