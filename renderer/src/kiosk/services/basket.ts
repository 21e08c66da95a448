/** The drugs picked for a cost estimate: list code → quantity. */
export type Basket = Record<string, number>;

/** Each touch on a drug adds one more of it. */
export function addOne(basket: Basket, listCode: string): Basket {
  return { ...basket, [listCode]: (basket[listCode] ?? 0) + 1 };
}

/** The basket as the lines of a `kiosk.estimate` request. */
export function basketLines(basket: Basket): { listCode: string; quantity: number }[] {
  return Object.entries(basket).map(([listCode, quantity]) => ({ listCode, quantity }));
}
