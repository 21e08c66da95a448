import { describe, expect, it } from 'vitest';
import { addOne, basketLines } from './basket';

describe('estimate basket', () => {
  it('counts each touch on a drug', () => {
    const basket = addOne(addOne(addOne({}, 'XA01'), 'XB02'), 'XA01');
    expect(basket).toEqual({ XA01: 2, XB02: 1 });
  });

  it('leaves the previous basket as it was', () => {
    const before = { XA01: 1 };
    addOne(before, 'XA01');
    expect(before).toEqual({ XA01: 1 });
  });

  it('becomes the lines of the estimate request', () => {
    expect(basketLines({ XA01: 2, XB02: 1 })).toEqual([
      { listCode: 'XA01', quantity: 2 },
      { listCode: 'XB02', quantity: 1 },
    ]);
    expect(basketLines({})).toEqual([]);
  });
});
