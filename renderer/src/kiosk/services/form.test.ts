import { describe, expect, it } from 'vitest';
import { searchServices, visibleFields } from './form';

const field = (key: string, when: { field: string; in: string[] } | null = null) => ({
  key,
  label: key,
  kind: 'text' as const,
  required: true,
  options: null,
  when,
  maxLength: 50,
  help: null,
  initial: null,
});

describe('the generic form', () => {
  it('shows a dependent field only for the values it names', () => {
    const fields = [field('rea'), field('addr', { field: 'rea', in: ['02', '07'] }), field('to', { field: 'rea', in: ['06', '09'] })];
    expect(visibleFields(fields, {}).map((f) => f.key)).toEqual(['rea']);
    expect(visibleFields(fields, { rea: '07' }).map((f) => f.key)).toEqual(['rea', 'addr']);
    expect(visibleFields(fields, { rea: '09', addr: 'left over' }).map((f) => f.key)).toEqual(['rea', 'to']);
  });

  it('finds services by any part of the Chinese or English name; every word must match', () => {
    const list = [
      { id: 'a', name: '异地就医备案', en: 'Out-of-area filing' },
      { id: 'b', name: '异地备案查询', en: 'Out-of-area filings' },
      { id: 'c', name: '药品目录查询', en: 'Drug catalogue' },
    ];
    expect(searchServices(list, '备案').map((s) => s.id)).toEqual(['a', 'b']);
    expect(searchServices(list, '备案 查询').map((s) => s.id)).toEqual(['b']);
    expect(searchServices(list, 'DRUG').map((s) => s.id)).toEqual(['c']);
    expect(searchServices(list, '  ').map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(searchServices(list, '长护')).toEqual([]);
  });
});
