/**
 * The counter's local copy of the platform's 事中审核 rule library, for sales made while the
 * platform is away (and as the meaning of the platform's rule ids on screen and paper). A region
 * ships its own copy with its terminals; `version` says which one a sale was audited with. A
 * test holds this copy against the embedded platform's library, drug by drug.
 */
export type AuditSeverity = 'block' | 'warn';

export interface AuditRule {
  /** The platform's rule_id. */
  id: string;
  name: string;
  /** 'block': the sale cannot go on with this line; 'warn': it may, with the cashier's written reason. */
  severity: AuditSeverity;
  basis: string;
}

export const LOCAL_RULES_VERSION = 'local-2026.06';

export const AUDIT_RULES = {
  outsideList: { id: 'YP0001', name: '非医保目录药品或保健品', severity: 'block', basis: '非基本医保目录的药品、保健食品和日用品不得由医保基金或个人账户支付' },
  sexLimited: { id: 'YP0002', name: '限性别用药', severity: 'block', basis: '医保目录限定性别使用' },
  ageLimited: { id: 'YP0003', name: '限年龄用药', severity: 'block', basis: '医保目录限定年龄使用' },
  repeated: { id: 'YP0004', name: '重复用药', severity: 'warn', basis: '同一药品在上次购买的用药周期内' },
  tooMuch: { id: 'YP0005', name: '超限定支付疗程', severity: 'warn', basis: '一次购药超过规定天数的用量' },
  restricted: { id: 'YP0006', name: '限定支付范围', severity: 'warn', basis: '限定支付范围的药品需有相应的门诊慢特病备案' },
  traceReused: { id: 'YP0007', name: '追溯码重复（疑似回流药）', severity: 'block', basis: '同一药品追溯码已经结算过，一盒药不能卖两次' },
} as const satisfies Record<string, AuditRule>;

export type AuditRuleKey = keyof typeof AUDIT_RULES;

/** The rule behind a platform rule_id, if this copy knows it. */
export function ruleById(id: string): AuditRule | undefined {
  return Object.values(AUDIT_RULES).find((r) => r.id === id);
}

/** Supply limits in days [K: 一般不超过 4 周；慢特病长处方可到 12 周]. */
export const SUPPLY_DAYS = { usual: 30, withFiling: 84, earlyRefill: 5 };

export interface DrugRule {
  outsideList?: boolean;
  /** '1' men only, '2' women only. */
  sex?: '1' | '2';
  ageBelow?: number;
  ageFrom?: number;
  packDays?: number;
  /** 限定支付范围: needs one of these 门诊慢特病 filed. */
  filing?: readonly string[];
}

export const DRUG_RULES: Readonly<Record<string, DrugRule>> = {
  XC08CAA058A001010100563: { packDays: 30 }, // 硝苯地平缓释片
  XA10BAA004A001010102567: { packDays: 16 }, // 二甲双胍片
  XC09AAA006A001010101811: { packDays: 33 }, // 卡托普利片
  XA10AEI074B002010100667: { packDays: 15, filing: ['M01600'] }, // 甘精胰岛素注射液
  XH03AAA001A001010101012: { packDays: 100 }, // 左甲状腺素钠片
  QT00000000000000000001: { outsideList: true }, // 维生素C咀嚼片（保健食品）
  QT00000000000000000002: { outsideList: true }, // 医用外科口罩
  ZC03AAA0123010104321: { sex: '2' }, // 妇科千金片
  XN02BEA015B001010100512: { ageBelow: 18 }, // 小儿氨酚黄那敏颗粒
};
