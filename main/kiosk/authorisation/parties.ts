/**
 * Who may be authorised to read a person's records (the third parties the platform has signed a
 * confidentiality agreement with; seed 003 names insurers and employers) and for what purpose.
 */

export type GranteeKind = 'insurer' | 'employer';

export interface Grantee {
  /** The third party's code at the authorisation platform. */
  code: string;
  name: string;
  kind: GranteeKind;
}

export const GRANTEES: readonly Grantee[] = [
  { code: 'INS000101', name: '中国人寿保险股份有限公司', kind: 'insurer' },
  { code: 'INS000102', name: '中国平安健康保险股份有限公司', kind: 'insurer' },
  { code: 'INS000103', name: '惠民保（城市定制型商业医疗保险）', kind: 'insurer' },
  // The person's own employer: its name comes from the person's insurance record.
  { code: 'EMPLOYER', name: '本人所在单位', kind: 'employer' },
];

export interface Purpose {
  code: string;
  name: string;
  /** Which kinds of third party may ask for it. */
  for: readonly GranteeKind[];
}

/** 用途 (seed 003: 投保、理赔、二次报销). */
export const PURPOSES: readonly Purpose[] = [
  { code: '01', name: '商业健康保险投保核保', for: ['insurer'] },
  { code: '02', name: '商业健康保险理赔', for: ['insurer'] },
  { code: '03', name: '单位补充医疗保险报销', for: ['employer'] },
];

export const granteeOf = (code: string) => GRANTEES.find((g) => g.code === code);
export const purposeOf = (code: string) => PURPOSES.find((p) => p.code === code);
