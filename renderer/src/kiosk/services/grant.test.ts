import { describe, expect, it } from 'vitest';
import { grantComplete, toggleScope } from './grant';

describe('toggleScope', () => {
  it('adds a ticked scope after those already ticked', () => {
    expect(toggleScope(['setl'], 'contrib', true)).toEqual(['setl', 'contrib']);
  });

  it('removes an unticked scope and keeps the rest in order', () => {
    expect(toggleScope(['setl', 'contrib', 'insu'], 'contrib', false)).toEqual(['setl', 'insu']);
  });
});

describe('grantComplete', () => {
  const grant = { grantee: 'EMPLOYER', scopes: ['contrib'], days: 30 };

  it('is complete with a grantee, a scope and a period', () => {
    expect(grantComplete(grant)).toBe(true);
  });

  it('is incomplete while any of the three is missing', () => {
    expect(grantComplete({ ...grant, grantee: '' })).toBe(false);
    expect(grantComplete({ ...grant, scopes: [] })).toBe(false);
    expect(grantComplete({ ...grant, days: 0 })).toBe(false);
  });
});
