/**
 * The request envelope of the national platform (reference §1.2), the msgid rule, and Beijing
 * time formatting (the platform's clock; China has no daylight saving).
 */
import type { Db } from '../store/database';

export interface TerminalIdentity {
  /** 定点医药机构编号, 12 characters */
  fixmedinsCode: string;
  fixmedinsName: string;
  /** 就医地医保区划 of the terminal */
  mdtrtareaAdmvs: string;
  /** 经办人 / 终端编号 and its name */
  opter: string;
  opterName: string;
  recerSysCode?: string;
  devNo?: string;
}

const BEIJING_OFFSET_MS = 8 * 3600_000;
const p2 = (n: number) => String(n).padStart(2, '0');

export function beijing(ms: number) {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
  };
}

/** yyyy-MM-dd HH:mm:ss in Beijing time */
export function infTime(ms: number): string {
  const t = beijing(ms);
  return `${t.y}-${p2(t.mo)}-${p2(t.d)} ${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}`;
}

/** yyyyMMddHHmmss in Beijing time */
export function compactTime(ms: number): string {
  const t = beijing(ms);
  return `${t.y}${p2(t.mo)}${p2(t.d)}${p2(t.h)}${p2(t.mi)}${p2(t.s)}`;
}

export function beijingDate(ms: number): string {
  return infTime(ms).slice(0, 10);
}

export interface MsgidSource {
  next(nowMs: number): string;
}

/**
 * msgid = 定点医药机构编号(12) + yyyyMMddHHmmss(14) + 顺序号(4). The sequence lives in SQLite and
 * is incremented in the same statement that reads it, so msgids stay unique across restarts and
 * processes sharing the file.
 */
export class SqliteMsgids implements MsgidSource {
  constructor(
    private readonly db: Db,
    private readonly fixmedinsCode: string,
  ) {
    if (!/^[A-Z0-9]{12}$/.test(fixmedinsCode)) throw new RangeError('fixmedins_code must be 12 characters');
    db.prepare("INSERT OR IGNORE INTO terminal_meta(key, value) VALUES ('msgid_seq', '0')").run();
  }
  next(nowMs: number): string {
    const row = this.db.prepare("UPDATE terminal_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'msgid_seq' RETURNING value").get() as {
      value: string | number;
    };
    const seq = Number(row.value) % 10000;
    return `${this.fixmedinsCode}${compactTime(nowMs)}${String(seq).padStart(4, '0')}`;
  }
}

/** In-memory sequence (tests and tools); starts at a random point so two instances rarely meet. */
export class MemoryMsgids implements MsgidSource {
  private seq = Math.floor(Math.random() * 10000);
  constructor(private readonly fixmedinsCode: string) {}
  next(nowMs: number): string {
    this.seq = (this.seq + 1) % 10000;
    return `${this.fixmedinsCode}${compactTime(nowMs)}${String(this.seq).padStart(4, '0')}`;
  }
}

export interface Envelope {
  infno: string;
  msgid: string;
  mdtrtarea_admvs: string;
  insuplc_admdvs: string;
  recer_sys_code: string;
  dev_no: string;
  dev_safe_info: string;
  cainfo: string;
  signtype: string;
  infver: string;
  opter_type: string;
  opter: string;
  opter_name: string;
  inf_time: string;
  fixmedins_code: string;
  fixmedins_name: string;
  sign_no: string;
  input: unknown;
}

export function buildEnvelope(t: TerminalIdentity, infno: string, msgid: string, nowMs: number, signNo: string, input: unknown, insuplcAdmdvs = ''): Envelope {
  return {
    infno,
    msgid,
    mdtrtarea_admvs: t.mdtrtareaAdmvs,
    insuplc_admdvs: insuplcAdmdvs,
    recer_sys_code: t.recerSysCode ?? 'YBXT',
    dev_no: t.devNo ?? '',
    dev_safe_info: '',
    cainfo: '',
    signtype: '',
    infver: 'V1.0',
    // 2 = 自助终端 (self-service terminal)
    opter_type: '2',
    opter: t.opter,
    opter_name: t.opterName,
    inf_time: infTime(nowMs),
    fixmedins_code: t.fixmedinsCode,
    fixmedins_name: t.fixmedinsName,
    sign_no: signNo,
    input,
  };
}
