/**
 * Services with their own interaction (payment QR, PIN, face, family binding, estimates): listed
 * in the catalogue like any other so the home screen comes from one place, with `screen` naming
 * the renderer's screen instead of a generic form.
 */
import type { ServiceDecl } from '../types';

const own = (
  id: string,
  row: number,
  name: string,
  en: string,
  category: ServiceDecl['category'],
  rank: number,
  prompt: string,
  extra: Partial<ServiceDecl> = {},
): ServiceDecl => ({ id, row, name, en, category, identity: 'card', rank, prompt, screen: id, ...extra });

export const OWN_SCREENS: readonly ServiceDecl[] = [
  own('info', 7, '参保信息查询', 'Insurance record', 'query', 0, '查看您的参保状态和参保地'),
  own('account', 8, '个人账户', 'Personal account', 'query', 2, '查看个人账户余额', {
    audience: { insutypes: ['310'], refusal: '个人账户仅职工医保参保人员有' },
  }),
  own('records', 12, '就诊结算记录', 'Settlements', 'query', 2, '查看看病买药的结算记录和明细'),
  own('contributions', 10, '缴费记录', 'Contributions', 'query', 3, '查看历年缴费记录'),
  own('premium', 31, '居民医保缴费', 'Pay the resident premium', 'pay', 4, '扫码缴纳下一年度城乡居民医保费', { audience: { insutypes: ['390'] } }),
  own('certificate', 27, '参保凭证打印', 'Insurance certificate', 'print', 5, '打印参保凭证'),
  own('cumulative', 13, '年度累计', 'Year-to-date totals', 'query', 24, '查看今年起付线和报销的累计'),
  own('chronic', 39, '门诊慢特病备案', 'Chronic disease filing', 'apply', 6, '申请或查询门诊慢特病备案（含已备案病种查询）'),
  own('designated', 40, '定点备案', 'Designated clinic', 'apply', 25, '选择或查询签约的定点医疗机构'),
  own('transfer', 41, '转院备案', 'Referral filing', 'apply', 26, '办理或查询转院备案'),
  own('family', 6, '亲情账户', 'Family accounts', 'auth', 17, '为配偶、父母、子女绑定亲情账户'),
  own('auth', 50, '个人信息授权', 'Data authorisation', 'auth', 27, '授权保险公司或单位查询您的医保信息'),
  own('estimate', 25, '待遇测算', 'Estimate a bill', 'query', 28, '估算看病买药能报销多少（仅供参考）'),
  own('policy', 24, '政策查询', 'Policies', 'query', 29, '阅读本地医保政策', { identity: 'public' }),
];
