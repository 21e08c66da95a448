/**
 * The counter's basket: drug list code → whole packs. A line holds 1 pack or more; taking the
 * last pack away is the delete button's job, so no step can make 0, a fraction or a negative.
 */
export type Basket = Readonly<Record<string, number>>;

/** The bridge contract's bound on one line; main's own (lower) per-line cap is checked by main. */
export const MAX_PACKS = 999;

/** One more pack of a drug (a scan, a tile, the + button). */
export function addPack(basket: Basket, listCode: string): Basket {
  const packs = (basket[listCode] ?? 0) + 1;
  return packs > MAX_PACKS ? basket : { ...basket, [listCode]: packs };
}

/** One pack fewer, never below one. */
export function removePack(basket: Basket, listCode: string): Basket {
  const packs = basket[listCode];
  return packs === undefined || packs <= 1 ? basket : { ...basket, [listCode]: packs - 1 };
}

export function removeLine(basket: Basket, listCode: string): Basket {
  return Object.fromEntries(Object.entries(basket).filter(([code]) => code !== listCode));
}

/** A self-pay share main sends in basis points, as the percentage on the basket: 1000 → 10%, 3333 → 33.33%. */
export function formatSelfPayShare(bp: number): string {
  return `${Number((bp / 100).toFixed(2))}%`;
}
