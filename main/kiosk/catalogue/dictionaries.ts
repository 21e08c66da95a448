/**
 * Code → name dictionaries the screens and papers need, as data. The screen shows names; a code
 * with no entry is shown as 未知(code) so a missing entry is visible, never passed off as a name.
 * Codes follow the national 医保 dictionaries where known; entries marked [K] in the reference
 * are data a region corrects here.
 */
export const DICTIONARIES = {
  /** 行政区划 (GB/T 2260) of the regions the simulator's residents and hospitals are in. */
  admdvs: {
    '110000': '北京市',
    '310000': '上海市',
    '320000': '江苏省',
    '320100': '江苏省南京市',
    '320102': '南京市玄武区',
    '320106': '南京市鼓楼区',
    '330100': '浙江省杭州市',
    '340600': '安徽省淮北市',
    '370400': '山东省枣庄市',
    '440000': '广东省',
    '440100': '广东省广州市',
    '440300': '广东省深圳市',
    '440304': '深圳市福田区',
    '440305': '深圳市南山区',
    '460100': '海南省海口市',
    '510100': '四川省成都市',
  },
  /** 险种类型 */
  insutype: {
    '310': '职工基本医疗保险',
    '320': '公务员医疗补助',
    '330': '大额医疗费用补助',
    '340': '离休人员医疗保障',
    '390': '城乡居民基本医疗保险',
    '392': '城乡居民大病医疗保险',
    '510': '生育保险',
  },
  /** 人员类别 */
  psn_type: { '11': '在职', '21': '退休', '1501': '城乡居民', '1502': '学生儿童', '1503': '新生儿', '16': '灵活就业人员' },
  /** 参保状态 */
  psn_insu_stas: { '1': '正常参保', '2': '暂停参保', '4': '终止参保' },
  /** 医疗类别 */
  med_type: {
    '11': '普通门诊',
    '12': '门诊挂号',
    '13': '急诊',
    '14': '门诊慢特病',
    '21': '普通住院',
    '41': '定点药店购药',
    '51': '生育门诊',
    '52': '生育住院',
    '9901': '意外伤害',
  },
  /** 异地就医备案类型 (rloc_rea; 字典 1901 为准 [K]) */
  rloc_rea: { '02': '异地安置退休人员', '07': '异地长期居住人员', '08': '常驻异地工作人员', '06': '异地转诊人员', '09': '其他临时外出就医人员' },
  /** 备案状态 */
  appl_stas: { '1': '已受理', '2': '审核中', '3': '已办结', '4': '已撤销', '5': '不予受理' },
  /** 办件类型 */
  appl_type: {
    '2101': '城乡居民参保登记',
    '2102': '新生儿参保登记',
    '2103': '灵活就业人员参保登记',
    '2104': '参保信息变更',
    '2401': '异地就医备案',
    '2403': '双通道药品备案',
    '2507': '意外伤害备案',
    '2601': '零星报销申请',
    '2602': '医保关系转移接续',
    '2603': '生育医疗费/津贴申领',
    '2604': '医疗救助申请',
    '2605': '长期护理保险申请',
    '2606': '欺诈骗保举报',
    '2607': '医保码激活',
    '2609': '个人账户代缴家人居民医保',
    '2803': '家庭共济绑定/解绑',
  },
  /** 待遇享受标志 */
  trt_enjymnt_flag: { '1': '可以享受', '0': '暂不能享受' },
  /** 基金支付类型 */
  fund_pay_type: {
    '310100': '职工基本医疗保险统筹基金',
    '390100': '城乡居民基本医疗保险基金',
    '390200': '城乡居民大病保险',
    '610100': '医疗救助基金',
    '510100': '生育保险基金',
  },
  /** 医院等级 */
  medins_lv: { '1': '三级', '2': '二级', '3': '一级', '9': '未定级' },
  /** 收费项目等级 (chrgitm_lv) */
  chrgitm_lv: { '01': '甲类', '02': '乙类', '03': '丙类（自费）' },
  /** 资助参保身份 (psn_idet_type) */
  psn_idet_type: { '231': '特困人员', '232': '低保对象', '233': '低保边缘家庭成员', '234': '返贫致贫人口', '235': '防止返贫监测对象', '239': '不属于资助对象' },
  yes_no: { '1': '是', '0': '否' },
  /** 目录类别 */
  list_type: { item: '诊疗项目', consumable: '医用耗材', disease: '门诊慢特病病种' },
  /** 限制使用标志 */
  lmt_used_flag: { '1': '限定支付范围', '0': '无限制' },
  /** 家庭关系 (GB/T 4761-2008 家庭关系代码, first level) */
  relation: {
    '10': '配偶',
    '20': '子',
    '30': '女',
    '40': '孙子女或外孙子女',
    '50': '父母',
    '60': '祖父母或外祖父母',
    '70': '兄弟姐妹',
    '80': '其他',
  },
  /** 家庭共济操作 */
  mulaid_action: { '1': '绑定', '2': '解除绑定' },
  /** 共济支付状态 */
  mulaid_stas: { '1': '已支付', '2': '已退回（撤销结算）' },
  /** 有效标志 */
  vali_flag: { '1': '有效', '0': '已失效' },
  /** 证件类型 */
  cert_type: { '01': '居民身份证', '02': '出生医学证明', '06': '港澳台居民居住证', '07': '外国人永久居留身份证' },
  gender: { '1': '男', '2': '女' },
  /** 账户收支类型 */
  acct_io: { '1': '划入', '2': '支出', '3': '共济支出' },
  /** 零星报销原因 (manl_reim_rea) */
  manl_reim_rea: { '01': '异地就医未直接结算', '02': '急诊抢救未持卡', '03': '系统故障未实时结算', '99': '其他' },
  /** 举报类别 */
  report_type: { '1': '虚假就医', '2': '串换药品', '3': '倒卖医保药品', '4': '冒用医保凭证', '9': '其他' },
  /** 长护失能等级 */
  disability_lv: { '1': '轻度失能', '2': '中度失能', '3': '重度失能' },
  /** 生育类别 */
  matn_type: { '1': '顺产', '2': '剖宫产', '3': '流产' },
} as const satisfies Record<string, Record<string, string>>;

export type DictName = keyof typeof DICTIONARIES;

export function nameOf(dict: DictName, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '—';
  const d = DICTIONARIES[dict] as Record<string, string>;
  return d[code] ?? `未知(${code})`;
}

export function optionsOf(dict: DictName, only?: readonly string[]): { code: string; name: string }[] {
  const d = DICTIONARIES[dict] as Record<string, string>;
  return Object.entries(d)
    .filter(([code]) => !only || only.includes(code))
    .map(([code, name]) => ({ code, name }));
}
