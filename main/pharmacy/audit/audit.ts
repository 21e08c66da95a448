/**
 * 事中审核 at the counter. Before a basket is pre-settled, the platform's 3102 (trig_scen 10,
 * 购药划卡) looks at it — or, while the platform is away, the local rule copy does. Each warning
 * is kept with the quote: a 'block' one stops the sale until the basket changes; a 'warn' one
 * lets it go on only with the cashier's written reason. What the pharmacy did goes back to the
 * platform with 3103 through the outbox (继续执行 with the reason when the sale is paid, 返回修改
 * when the quote is replaced). A sale audited locally is audited again by the platform when it
 * is delivered. Main decides all of it; the screen shows the warnings and asks.
 */
import { BridgeError } from '../../bridge/contract/errors';
import type { Fen } from '../../bridge/contract/money';
import type { Clock } from '../../ground/clock';
import type { Logger } from '../../ground/logger';
import type { Db } from '../../store/database';
import { beijingDate } from '../../platform/envelope';
import { PlatformError, type PlatformClient } from '../../platform/client';
import type { DeliveryHandler } from '../../outbox/delivery';
import type { Outbox } from '../../outbox/outbox';
import { auditLocally, type AuditLine, type AuditPerson, type Purchase } from './engine';
import { AUDIT_RULES, LOCAL_RULES_VERSION, ruleById, type AuditSeverity } from './library';

export const AUDIT_FEEDBACK_KIND = 'pharmacy-audit-feedback';

export interface AuditWarning {
  warningId: string;
  ruleId: string;
  ruleName: string;
  content: string;
  amount: Fen;
  severity: AuditSeverity;
  basis: string | null;
  /** 'platform' (3102 before the sale), 'local' (offline, the local copy), 'redelivery' (3102 when an offline sale was delivered). */
  source: 'platform' | 'local' | 'redelivery';
  lineId: string | null;
  disposition: 'continue' | 'modify' | null;
  reason: string | null;
}

export interface AuditOutcome {
  source: 'platform' | 'local';
  rulesVersion: string;
  warnings: AuditWarning[];
}

export interface AuditSubject {
  psnNo: string;
  name: string;
  insutype: string;
  admdvs: string;
  sex: '1' | '2' | null;
  birthDate: string | null;
}

export interface ShiftAudit {
  warnings: number;
  blocked: number;
  /** Found by the platform when an offline sale was delivered. */
  redelivery: number;
  overridden: { saleId: string; ruleName: string; content: string; reason: string }[];
}

interface FeedbackPayload {
  psnNo: string;
  insuplcAdmdvs: string;
  saleId: string;
  warns: { warn_rslt_id: string; dspo_way: '1' | '2'; dspo_way_rea?: string }[];
}

/** A reason a cashier writes for going on despite a warning. */
export function checkReason(reason: unknown): string {
  if (typeof reason !== 'string') throw new BridgeError('AUDIT_REASON_INVALID', 'write why the sale goes on despite the warning');
  const r = reason.trim();
  if (Array.from(r).length < 4) throw new BridgeError('AUDIT_REASON_INVALID', 'the reason must say why, in at least 4 characters');
  if (Array.from(r).length > 500) throw new BridgeError('AUDIT_REASON_INVALID', 'the reason may have at most 500 characters');
  for (const ch of r) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c === 0x7f) throw new BridgeError('AUDIT_REASON_INVALID', 'the reason may not hold control characters');
  }
  return r;
}

interface Row {
  sale_id: string;
  warning_id: string;
  rule_id: string;
  rule_name: string;
  content: string;
  amount: number;
  severity: string;
  basis: string | null;
  source: string;
  line_id: string | null;
  disposition: string | null;
  reason: string | null;
}

const toWarning = (r: Row): AuditWarning => ({
  warningId: r.warning_id,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  content: r.content,
  amount: r.amount as Fen,
  severity: r.severity as AuditSeverity,
  basis: r.basis,
  source: r.source as AuditWarning['source'],
  lineId: r.line_id,
  disposition: r.disposition as AuditWarning['disposition'],
  reason: r.reason,
});

export class CounterAudit {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    private readonly client: PlatformClient,
    private readonly terminal: { institutionCode: string; institutionName: string },
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly online: () => boolean,
    /** This terminal's earlier purchases of a person (for the local repeat rule). */
    private readonly history: (psnNo: string) => Purchase[],
    /** 药品追溯码 this terminal has sold to anyone (for the local 回流药 rule). */
    private readonly soldTraces: () => ReadonlySet<string> = () => new Set(),
  ) {}

  /** 3102 for a basket about to be quoted as `saleId`; the local copy when the platform cannot answer. */
  async analyse(saleId: string, who: AuditSubject, lines: (AuditLine & { unitPrice: number })[], filings: readonly string[] | null): Promise<AuditOutcome> {
    if (this.online() && who.sex && who.birthDate) {
      try {
        const out = await this.client.query('3102', this.request(saleId, who, lines), { insuplcAdmdvs: who.admdvs });
        return { source: 'platform', rulesVersion: 'platform', warnings: out.result.map((r) => this.fromPlatform(r, 'platform', lines)) };
      } catch (err) {
        if (!(err instanceof PlatformError) || err.outcome?.kind === 'business-error') {
          if (err instanceof PlatformError) throw new BridgeError('AUDIT_REFUSED', `事中审核未通过：${err.message}`);
          throw err;
        }
        this.log.warn('audit.platform_unreachable', { code: err.code });
      }
    }
    const person: AuditPerson = { sex: who.sex, birthDate: who.birthDate, filings };
    const found = auditLocally(person, lines, this.history(who.psnNo), beijingDate(this.clock.now()), this.soldTraces());
    return {
      source: 'local',
      rulesVersion: LOCAL_RULES_VERSION,
      warnings: found.map((f, i) => {
        const rule = AUDIT_RULES[f.rule];
        return {
          warningId: `L${saleId.replaceAll('-', '').slice(0, 20)}${String(i + 1).padStart(3, '0')}`,
          ruleId: rule.id,
          ruleName: rule.name,
          content: f.content,
          amount: f.amount as Fen,
          severity: rule.severity,
          basis: rule.basis,
          source: 'local' as const,
          lineId: f.lineId,
          disposition: null,
          reason: null,
        };
      }),
    };
  }

  private request(saleId: string, who: AuditSubject, lines: (AuditLine & { unitPrice: number })[]) {
    const traced = (l: AuditLine) => (l.traceCodes?.length ? { drug_trac_codg: l.traceCodes.join(',') } : {});
    return {
      data: {
        syscode: 'ESTATION',
        task_id: saleId,
        trig_scen: '10' as const,
        patient_dtos: [
          {
            patn_id: who.psnNo,
            patn_name: who.name,
            gend: who.sex!,
            brdy: who.birthDate!,
            poolarea: who.admdvs,
            curr_mdtrt_id: saleId,
            fsi_encounter_dtos: [
              {
                mdtrt_id: saleId,
                medins_id: this.terminal.institutionCode,
                medins_name: this.terminal.institutionName,
                med_type: '41',
                insutype: who.insutype,
                medfee_sumamt: lines.reduce((s, l) => s + l.amount, 0),
                fsi_diagnose_dtos: [],
                fsi_order_dtos: lines.map((l) => ({
                  rx_id: l.lineId,
                  hilist_code: l.listCode,
                  hilist_name: l.name,
                  cnt: l.packs,
                  pric: l.unitPrice,
                  sumamt: l.amount,
                  ...traced(l),
                })),
              },
            ],
          },
        ],
      },
    };
  }

  private fromPlatform(
    r: {
      jr_id: string;
      rule_id: string;
      rule_name: string;
      vola_cont: string;
      vola_amt: number;
      sev_deg: string;
      vola_evid: string | null;
      judge_result_detail_dtos: { rx_id: string }[];
    },
    source: 'platform' | 'redelivery',
    lines: readonly AuditLine[],
  ): AuditWarning {
    const known = ruleById(r.rule_id);
    const lineId = r.judge_result_detail_dtos[0]?.rx_id ?? null;
    return {
      warningId: r.jr_id,
      ruleId: r.rule_id,
      ruleName: r.rule_name,
      content: r.vola_cont,
      amount: r.vola_amt as Fen,
      // 明确违规 (sev_deg 1) stops the sale; anything else is a warning the cashier may answer.
      severity: r.sev_deg === '1' ? 'block' : 'warn',
      basis: r.vola_evid ?? known?.basis ?? null,
      source,
      lineId: lines.some((l) => l.lineId === lineId) ? lineId : null,
      disposition: null,
      reason: null,
    };
  }

  /** Keeps a quote's warnings (call inside the transaction that stores the quote). */
  record(saleId: string, warnings: readonly AuditWarning[]): void {
    const ins = this.db.prepare(
      `INSERT OR IGNORE INTO pharmacy_audit(sale_id, warning_id, rule_id, rule_name, content, amount, severity, basis, source, line_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = this.clock.nowIso();
    for (const w of warnings) ins.run(saleId, w.warningId, w.ruleId, w.ruleName, w.content, w.amount, w.severity, w.basis, w.source, w.lineId, now);
  }

  warnings(saleId: string): AuditWarning[] {
    return (this.db.prepare('SELECT * FROM pharmacy_audit WHERE sale_id = ? ORDER BY created_at, warning_id').all(saleId) as Row[]).map(toWarning);
  }

  /** Why a quote cannot be paid yet, or null. */
  obstacle(saleId: string): BridgeError | null {
    const ws = this.warnings(saleId).filter((w) => w.source !== 'redelivery');
    const blocking = ws.filter((w) => w.severity === 'block');
    if (blocking.length) return new BridgeError('AUDIT_BLOCKED', `事中审核：${blocking.map((w) => w.ruleName).join('、')}，请修改购药清单后重新预结算`);
    const open = ws.filter((w) => w.severity === 'warn' && w.disposition !== 'continue');
    if (open.length) return new BridgeError('AUDIT_REASON_REQUIRED', `事中审核提示 ${open.length} 条，继续结算须逐条填写理由`);
    return null;
  }

  /** The cashier goes on despite warnings, each with a written reason. Repeating the same answer changes nothing. */
  override(saleId: string, answers: readonly { warningId: string; reason: string }[], cashier: string): AuditWarning[] {
    const ws = new Map(this.warnings(saleId).map((w) => [w.warningId, w]));
    const checked = answers.map((a) => {
      const w = ws.get(a.warningId);
      if (!w) throw new BridgeError('AUDIT_NO_SUCH_WARNING', `no warning ${a.warningId} on this quote`);
      if (w.severity === 'block') throw new BridgeError('AUDIT_BLOCKED', `${w.ruleName}：明确违规不能继续结算，请修改购药清单`);
      const reason = checkReason(a.reason);
      if (w.disposition === 'continue' && w.reason !== reason)
        throw new BridgeError('AUDIT_ALREADY_DECIDED', `${w.ruleName} was already answered with another reason`);
      return { w, reason };
    });
    const now = this.clock.nowIso();
    const upd = this.db.prepare(
      "UPDATE pharmacy_audit SET disposition = 'continue', reason = ?, decided_by = ?, decided_at = ? WHERE sale_id = ? AND warning_id = ? AND disposition IS NULL",
    );
    this.db.transaction(() => {
      for (const c of checked) upd.run(c.reason, cashier, now, saleId, c.w.warningId);
    })();
    this.log.info('audit.override', { sale: saleId, warnings: checked.length });
    return this.warnings(saleId);
  }

  /**
   * Tells the platform what became of a quote's warnings: 继续执行 (with the reasons) once it is
   * paid, 返回修改 when it was replaced or left. Only the platform's own findings are reported.
   */
  feedback(saleId: string, outcome: 'paid' | 'changed', who: { psnNo: string; insuplcAdmdvs: string }): void {
    const ws = this.warnings(saleId).filter((w) => w.source !== 'local' && w.disposition !== 'modify');
    const warns =
      outcome === 'paid'
        ? ws.filter((w) => w.disposition === 'continue').map((w) => ({ warn_rslt_id: w.warningId, dspo_way: '1' as const, dspo_way_rea: w.reason! }))
        : ws.filter((w) => w.disposition === null).map((w) => ({ warn_rslt_id: w.warningId, dspo_way: '2' as const }));
    if (!warns.length) return;
    if (outcome === 'changed')
      this.db
        .prepare("UPDATE pharmacy_audit SET disposition = 'modify', decided_at = ? WHERE sale_id = ? AND disposition IS NULL AND source != 'local'")
        .run(this.clock.nowIso(), saleId);
    const payload: FeedbackPayload = { psnNo: who.psnNo, insuplcAdmdvs: who.insuplcAdmdvs, saleId, warns };
    this.outbox.enqueue(AUDIT_FEEDBACK_KIND, who.psnNo, payload);
  }

  /**
   * An offline sale reaching the platform: 3102 on what was sold, the findings kept as
   * 'redelivery', and 3103 saying the sale was made (the medicine is gone). Never stops the
   * settlement: a failure here is logged and the sale is delivered as it was made.
   */
  async reaudit(saleId: string, who: AuditSubject, lines: (AuditLine & { unitPrice: number })[]): Promise<void> {
    if (!who.sex || !who.birthDate) return;
    try {
      const out = await this.client.query('3102', this.request(`${saleId}-R`, who, lines), { insuplcAdmdvs: who.admdvs });
      const ws = out.result.map((r) => this.fromPlatform(r, 'redelivery', lines));
      this.db.transaction(() => this.record(saleId, ws))();
      if (ws.length) {
        const reason = `离线销售已完成（按本地规则 ${LOCAL_RULES_VERSION} 审核），联网后复核`;
        const warns = ws.map((w) => ({ warn_rslt_id: w.warningId, dspo_way: w.severity === 'block' ? ('2' as const) : ('1' as const), dspo_way_rea: reason }));
        this.outbox.enqueue(AUDIT_FEEDBACK_KIND, who.psnNo, { psnNo: who.psnNo, insuplcAdmdvs: who.admdvs, saleId, warns } satisfies FeedbackPayload);
      }
      this.log.info('audit.reaudited', { sale: saleId, warnings: ws.length });
    } catch (err) {
      this.log.warn('audit.reaudit_failed', { sale: saleId, error: (err as Error).message });
    }
  }

  /** The shift's audit for its report: how many warnings, how many stopped a basket, every override with its reason. */
  ofShift(shiftId: string): ShiftAudit {
    const rows = (
      this.db
        .prepare('SELECT a.* FROM pharmacy_audit a JOIN pharmacy_sale s ON s.sale_id = a.sale_id WHERE s.shift_id = ? ORDER BY a.created_at, a.warning_id')
        .all(shiftId) as Row[]
    ).map((r) => ({ saleId: r.sale_id, w: toWarning(r) }));
    return {
      warnings: rows.filter((x) => x.w.source !== 'redelivery').length,
      blocked: rows.filter((x) => x.w.source !== 'redelivery' && x.w.severity === 'block').length,
      redelivery: rows.filter((x) => x.w.source === 'redelivery').length,
      overridden: rows
        .filter((x) => x.w.disposition === 'continue')
        .map((x) => ({ saleId: x.saleId, ruleName: x.w.ruleName, content: x.w.content, reason: x.w.reason ?? '' })),
    };
  }
}

/** Delivers 3103: the same feedback again is harmless at the platform, so an unknown outcome is resent. */
export function auditFeedbackDelivery(): DeliveryHandler<FeedbackPayload> {
  const who = (p: FeedbackPayload) => ({ psnNo: p.psnNo, insuplcAdmdvs: p.insuplcAdmdvs });
  const handler: DeliveryHandler<FeedbackPayload> = {
    kind: AUDIT_FEEDBACK_KIND,
    async deliver(it, kit) {
      const r = await kit.sendJournalled(it, '3103', { data: { warn_type: '2', warns: it.payload.warns } }, who(it.payload));
      if (r.kind === 'ok') return kit.done(it, r.msgid, { warns: it.payload.warns.length });
      if (r.kind === 'business-error') return kit.refused(it, r.msgid, r.message);
      return kit.notAnswered(it, r.msgid, r);
    },
    async resolveUnknown(it, kit) {
      const open = kit.journal(it).filter((j) => j.outcome !== 'ok' && j.outcome !== 'not-applied');
      const next = await handler.deliver(it, kit);
      // The resend carried the same answers: if it went through, so is the earlier attempt's content.
      if (next.state === 'done') for (const j of open) kit.closeAttempt(j.msgid, 'ok', 'same feedback resent and accepted');
      return next;
    },
  };
  return handler;
}
