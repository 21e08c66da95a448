import { describe, expect, it } from 'vitest';
import { addPack, formatSelfPayShare, MAX_PACKS, removeLine, removePack } from './basket';

describe('the counter basket', () => {
  it('adds whole packs, one at a time, keeping the order drugs were added in', () => {
    const b = addPack(addPack(addPack({}, 'A'), 'B'), 'A');
    expect(b).toEqual({ A: 2, B: 1 });
    expect(Object.keys(b)).toEqual(['A', 'B']);
  });

  it('never takes a line below one pack: deleting the line is a separate step', () => {
    expect(removePack({ A: 2 }, 'A')).toEqual({ A: 1 });
    expect(removePack({ A: 1 }, 'A')).toEqual({ A: 1 });
    expect(removePack({ A: 1 }, 'B')).toEqual({ A: 1 });
    expect(removeLine({ A: 1, B: 3 }, 'A')).toEqual({ B: 3 });
  });

  it('stops at the bound of the bridge contract', () => {
    expect(addPack({ A: MAX_PACKS }, 'A')).toEqual({ A: MAX_PACKS });
  });

  it('shows a self-pay share main sends in basis points as a percentage, without trailing zeros', () => {
    expect([0, 500, 1000, 3333, 10_000].map(formatSelfPayShare)).toEqual(['0%', '5%', '10%', '33.33%', '100%']);
  });
});
