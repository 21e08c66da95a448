import type { ServiceFormView } from '../../../../main/bridge/contract';

type Field = ServiceFormView['fields'][number];

/** The fields to show now: a field that depends on another shows only for the values it names. */
export function visibleFields(fields: readonly Field[], values: Record<string, string | boolean>): Field[] {
  return fields.filter((f) => !f.when || f.when.in.includes(String(values[f.when.field] ?? '')));
}

export type CatalogueCategory = 'query' | 'apply' | 'pay' | 'print' | 'auth';

/** Home-screen groups in the order a resident looks for them. */
export const CATEGORY_ORDER: readonly CatalogueCategory[] = ['query', 'apply', 'pay', 'print', 'auth'];

/** Services whose name contains every character group typed (spaces separate). */
export function searchServices<T extends { name: string; en: string }>(list: readonly T[], query: string): T[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...list];
  return list.filter((s) => words.every((w) => s.name.toLowerCase().includes(w) || s.en.toLowerCase().includes(w)));
}
