/** 打印: proofs a resident takes away, as declarations. */
import type { ServiceDecl } from '../types';

export const PAPERS: readonly ServiceDecl[] = [
  {
    id: 'payment-proof',
    row: 28,
    name: '缴费证明打印',
    en: 'Proof of contributions',
    category: 'print',
    identity: 'card',
    rank: 6,
    prompt: '选择年度，打印医保缴费证明',
    form: [
      { key: 'from', label: '起始年度', kind: 'year', required: true },
      { key: 'to', label: '截止年度', kind: 'year', required: true, initial: '$year' },
    ],
    tx: { infno: 'X5401', input: { data: { psn_no: '$psn_no', begn_year: '$f.from', end_year: '$f.to' } } },
    result: {
      kind: 'table',
      list: 'contribution',
      empty: '所选年度没有缴费记录',
      columns: [
        { key: 'year', label: '年度' },
        { key: 'insutype', label: '险种', dict: 'insutype' },
        { key: 'amount', label: '金额', format: 'money' },
        { key: 'paid_at', label: '缴费日期', format: 'date' },
      ],
    },
    print: { title: '医疗保险缴费证明', lines: ['兹证明该参保人在下列年度缴纳医疗保险费：'] },
  },
  {
    id: 'annual-statement',
    row: 29,
    name: '年度就诊信息打印',
    en: 'Annual visit statement',
    category: 'print',
    identity: 'card',
    rank: 10,
    prompt: '打印一年的就诊信息，可用于单位二次报销',
    form: [{ key: 'year', label: '年度', kind: 'year', required: true, initial: '$year' }],
    tx: { infno: '5201', input: { data: { psn_no: '$psn_no', begntime: '{f.year}-01-01 00:00:00', endtime: '{f.year}-12-31 23:59:59' } } },
    result: {
      kind: 'table',
      list: 'mdtrtinfo',
      empty: '该年度没有就诊记录',
      columns: [
        { key: 'begntime', label: '日期', format: 'date' },
        { key: 'med_type', label: '类别', dict: 'med_type' },
        { key: 'fixmedins_name', label: '机构' },
        { key: 'dise_name', label: '诊断' },
      ],
    },
    print: { title: '年度就诊信息', lines: [] },
  },
];
