import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('reconnect backoff with full jitter', () => {
  it('doubles its bound from minMs to the cap, and each delay lies below the bound', () => {
    const top = new Backoff(1000, 8000, () => 0.999999);
    expect(Array.from({ length: 6 }, () => top.next())).toEqual([999, 1999, 3999, 7999, 7999, 7999]);
    const bottom = new Backoff(1000, 8000, () => 0);
    expect(Array.from({ length: 3 }, () => bottom.next())).toEqual([0, 0, 0]);
  });

  it('spreads a thousand terminals over the window: no second of it gets more than a few percent', () => {
    const delays = Array.from({ length: 1000 }, () => new Backoff(60_000, 60_000).next());
    const perSecond = new Map<number, number>();
    for (const d of delays) perSecond.set(Math.floor(d / 1000), (perSecond.get(Math.floor(d / 1000)) ?? 0) + 1);
    expect(perSecond.size).toBeGreaterThan(50);
    expect(Math.max(...perSecond.values())).toBeLessThan(50);
  });

  it('starts again from minMs after a reset', () => {
    const b = new Backoff(100, 10_000, () => 0.5);
    b.next();
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(50);
  });
});
