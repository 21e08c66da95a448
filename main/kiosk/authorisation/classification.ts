/**
 * 个人信息授权的数据分级 (seed 003: 《参保人员个人信息授权查询和使用分级分类管理规范》, whose
 * table of levels was not found; this one follows its rules): what a person may let a third party
 * read, how sensitive each kind of record is, and what each level demands of an authorisation.
 * Data, not code: a region corrects it here. The platform keeps its own copy
 * (fixtures/platform/authorisation/classification.ts) and a test checks the two agree.
 *
 * - Level 1 (参保状态、险种) may be shared for up to a year with no limit on how often.
 * - Levels 2 (缴费、账户) and 3 (就诊结算、诊断、药品) need a frequency limit and a shorter time
 *   window; level-3 records also name the medical types (医疗类别) the third party may see.
 * - Level 4 (biometric templates, ID photos, psychiatric and HIV diagnoses) never leaves the
 *   platform, whatever the person signs.
 */

export type SensitivityLevel = 1 | 2 | 3 | 4;

export interface DataItem {
  /** The item's key on the wire (X2901 `items`) and in the contract. */
  key: string;
  name: string;
  level: SensitivityLevel;
  /** What a third party receives under this item. */
  fields: readonly string[];
}

export const DATA_ITEMS: readonly DataItem[] = [
  { key: 'insu', name: '参保信息', level: 1, fields: ['险种', '参保状态', '参保地', '参保日期'] },
  { key: 'contrib', name: '缴费记录', level: 2, fields: ['缴费年度', '险种', '缴费金额', '缴费日期'] },
  { key: 'acct', name: '个人账户余额', level: 2, fields: ['险种', '账户余额'] },
  { key: 'setl', name: '就诊结算记录', level: 3, fields: ['结算日期', '医疗类别', '医药机构', '医疗费总额', '基金支付', '个人负担'] },
  { key: 'diag', name: '诊断信息', level: 3, fields: ['就诊日期', '医疗类别', '诊断名称'] },
  { key: 'drug', name: '药品和诊疗明细', level: 3, fields: ['结算日期', '医疗类别', '项目名称', '数量', '金额'] },
  { key: 'face', name: '人脸等生物识别信息', level: 4, fields: [] },
  { key: 'photo', name: '证件照片', level: 4, fields: [] },
  { key: 'psydiag', name: '精神疾病、艾滋病等特殊诊断', level: 4, fields: [] },
];

export interface LevelRule {
  level: SensitivityLevel;
  name: string;
  /** Whether a third party may receive it at all. */
  thirdParty: boolean;
  /** An authorisation including it must limit uses per day and/or in total. */
  frequencyLimit: boolean;
  /** Longest period (time window) an authorisation including it may run, in days. */
  maxDays: number;
  /** Its records are filtered by the medical types the person chose. */
  medTypes: boolean;
}

export const LEVEL_RULES: Readonly<Record<SensitivityLevel, LevelRule>> = {
  1: { level: 1, name: '敏感1级', thirdParty: true, frequencyLimit: false, maxDays: 365, medTypes: false },
  2: { level: 2, name: '敏感2级', thirdParty: true, frequencyLimit: true, maxDays: 180, medTypes: false },
  3: { level: 3, name: '敏感3级', thirdParty: true, frequencyLimit: true, maxDays: 90, medTypes: true },
  4: { level: 4, name: '敏感4级', thirdParty: false, frequencyLimit: true, maxDays: 0, medTypes: false },
};

/** The frequency limits a person may set: uses per day, uses in the whole period. */
export const FREQUENCY_BOUNDS = { perDay: { min: 1, max: 10 }, total: { min: 1, max: 100 } } as const;

/** 医疗类别 a level-3 authorisation may be limited to (codes of the med_type dictionary). */
export const AUTH_MED_TYPES = ['11', '14', '21', '41'] as const;

/**
 * Diagnoses that are level 4 wherever they appear: by ICD-10 code, mental and behavioural
 * disorders (F), HIV disease (B20–B24) and asymptomatic HIV infection (Z21); by name, for records
 * that carry only a name. A level-3 record carrying one goes out without it.
 */
export const LEVEL4_DIAGNOSIS_PREFIXES = ['F', 'B20', 'B21', 'B22', 'B23', 'B24', 'Z21'] as const;
export const LEVEL4_DIAGNOSIS_WORDS = ['精神', '抑郁', '焦虑', '分裂', '双相', '艾滋', '人类免疫缺陷病毒', 'HIV'] as const;

export function itemOf(key: string): DataItem | undefined {
  return DATA_ITEMS.find((i) => i.key === key);
}

/** The levels an authorisation of these items reaches, lowest first. */
export function levelsOf(keys: readonly string[]): SensitivityLevel[] {
  const levels = new Set<SensitivityLevel>();
  for (const k of keys) {
    const item = itemOf(k);
    if (item) levels.add(item.level);
  }
  return [...levels].sort();
}
