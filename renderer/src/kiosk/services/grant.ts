import type { AuthorisationOptions } from '../../../../main/bridge/contract';

/** An authorisation being filled in. Main checks all of it again; this only decides what the form asks next. */
export interface Grant {
  grantee: string;
  purpose: string;
  items: string[];
  medTypes: string[];
  days: number;
  perDay: number | null;
  total: number | null;
  /** A child under 14 the guardian authorises for; null: the person's own records. */
  ward: { idNumber: string; name: string } | null;
}

export const emptyGrant: Grant = { grantee: '', purpose: '', items: [], medTypes: [], days: 0, perDay: null, total: null, ward: null };

/** Ticking adds a value after those already ticked; unticking removes it. */
export function toggle(values: string[], value: string, ticked: boolean): string[] {
  return ticked ? (values.includes(value) ? values : [...values, value]) : values.filter((v) => v !== value);
}

type Levels = AuthorisationOptions['levels'];

const rulesOf = (g: Grant, o: Pick<AuthorisationOptions, 'items' | 'levels'>): Levels =>
  o.levels.filter((l) => g.items.some((k) => o.items.find((i) => i.key === k)?.level === l.level));

/** The longest period the chosen items allow (the strictest level decides). */
export function maxDaysFor(g: Grant, o: Pick<AuthorisationOptions, 'items' | 'levels'>): number {
  const rules = rulesOf(g, o);
  return rules.length ? Math.min(...rules.map((r) => r.maxDays)) : Math.max(...o.levels.map((r) => r.maxDays));
}

/** Whether the chosen items need a frequency limit (levels 2–3). */
export const needsFrequency = (g: Grant, o: Pick<AuthorisationOptions, 'items' | 'levels'>) => rulesOf(g, o).some((r) => r.frequencyLimit);

/** Whether the chosen items need medical types (level 3). */
export const needsMedTypes = (g: Grant, o: Pick<AuthorisationOptions, 'items' | 'levels'>) => rulesOf(g, o).some((r) => r.medTypes);

/** A grant can go on to the agreement once everything its levels demand is chosen. */
export function grantComplete(g: Grant, o: Pick<AuthorisationOptions, 'items' | 'levels'>): boolean {
  if (!g.grantee || !g.purpose || g.items.length === 0 || g.days <= 0 || g.days > maxDaysFor(g, o)) return false;
  if (needsMedTypes(g, o) && g.medTypes.length === 0) return false;
  if (needsFrequency(g, o) && g.perDay === null && g.total === null) return false;
  if (g.ward && (!/^\d{17}[\dX]$/.test(g.ward.idNumber.trim().toUpperCase()) || g.ward.name.trim() === '')) return false;
  return true;
}
