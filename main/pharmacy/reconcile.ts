/**
 * End-of-day reconciliation: 3201 totals per insurance type, then 3202 detail (the terminal's
 * settlements uploaded with 9101, the centre's verdict fetched with 9102). Every mismatch is
 * repaired where the journal says how, and reported where it does not.
 */
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { fen, type Fen } from '../bridge/contract/money';
import type { PlatformClient } from '../platform/client';
import { beijingDate } from '../platform/envelope';
import { decodeVerdictFile, encodeDetailFile, type VerdictRow } from '../platform/reconcile-files';
import type { Outbox, OutboxItem } from '../outbox/outbox';
import { REFUND_KIND, SETTLEMENT_KIND } from './delivery';
import type { RefundPayload, SettlementPayload, SettlementResult } from './settlement';

export interface ReconcileReport {
  date: string;
  totals: { insutype: string; count: number; medfee: number; fund: number; acct: number; result: string; description: string }[];
  detail: {
    centreRows: number;
    matched: number;
    repaired: { setlId: string; msgid: string; action: string }[];
    reported: { setlId: string; msgid: string; problem: string }[];
  } | null;
  error: string | null;
}

interface Row {
  insutype: string;
  admdvs: string;
  psnNo: string;
  r: SettlementResult;
  refund: boolean;
}

export class Reconciler {
  constructor(
    private readonly outbox: Outbox,
    private readonly client: PlatformClient,
    private readonly fixmedinsCode: string,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * The day's rows as the centre counts them: every settlement this terminal completed (refunded
   * or not) and every refund (2103) as its own row with negative amounts and refd_setl_flag 1,
   * each on the Beijing date it was made.
   */
  private rows(date: string): Row[] {
    const out: Row[] = [];
    const settlements = new Map<string, OutboxItem<SettlementPayload, SettlementResult>>();
    for (const i of this.outbox.list({ kind: SETTLEMENT_KIND }) as OutboxItem<SettlementPayload, SettlementResult>[]) {
      settlements.set(i.itemId, i);
      const r = i.result;
      if (!r?.setlId || !(i.state === 'done' || i.state === 'needs-attention')) continue;
      if (beijingDate(Date.parse(r.settledAt)) !== date) continue;
      out.push({ insutype: i.payload.person.insutype, admdvs: i.payload.person.insuplcAdmdvs, psnNo: i.payload.person.psnNo, r, refund: false });
    }
    for (const i of this.outbox.list({ kind: REFUND_KIND, states: ['done'] }) as OutboxItem<RefundPayload, SettlementResult>[]) {
      const r = i.result;
      const sale = settlements.get(i.payload.saleItemId);
      if (!r?.setlId || !sale || beijingDate(Date.parse(r.settledAt)) !== date) continue;
      // The platform answers 2103 with the cancelled amounts negated; keep them as the centre does.
      const neg = (v: number) => (v > 0 ? -v : v) as Fen;
      const split = { ...r.split, medfee: neg(r.split.medfee), fund: neg(r.split.fund), acct: neg(r.split.acct), cash: neg(r.split.cash) };
      out.push({ insutype: sale.payload.person.insutype, admdvs: sale.payload.person.insuplcAdmdvs, psnNo: i.payload.psnNo, r: { ...r, split }, refund: true });
    }
    return out;
  }

  async reconcile(date: string): Promise<ReconcileReport> {
    const rows = this.rows(date);
    const report: ReconcileReport = { date, totals: [], detail: null, error: null };
    const sum = (list: Row[], k: 'medfee' | 'fund' | 'acct' | 'cash') => list.reduce((s, x) => s + x.r.split[k], 0);
    for (const insutype of ['310', '390'] as const) {
      const mine = rows.filter((x) => x.insutype === insutype);
      const r = await this.client.send('3201', {
        data: {
          insutype,
          clr_type: '41',
          setl_optins: mine[0]?.admdvs ?? '000000',
          stmt_begndate: date,
          stmt_enddate: date,
          medfee_sumamt: sum(mine, 'medfee'),
          fund_pay_sumamt: sum(mine, 'fund'),
          acct_pay: sum(mine, 'acct'),
          fixmedins_setl_cnt: mine.length,
        },
      });
      report.totals.push({
        insutype,
        count: mine.length,
        medfee: sum(mine, 'medfee'),
        fund: sum(mine, 'fund'),
        acct: sum(mine, 'acct'),
        result: r.kind === 'ok' ? r.output.stmtinfo.stmt_rslt : r.kind,
        description: r.kind === 'ok' ? r.output.stmtinfo.stmt_rslt_dscr : r.message,
      });
    }
    const file = encodeDetailFile(
      `${this.fixmedinsCode}_${date}.txt`,
      rows.map((x) => ({
        setlId: x.r.setlId,
        mdtrtId: x.r.mdtrtId,
        psnNo: x.psnNo,
        medfee: x.r.split.medfee,
        fund: x.r.split.fund,
        acct: x.r.split.acct,
        refund: x.refund,
      })),
    );
    const up = await this.client.send('9101', {
      fsUploadIn: { in: file.toString('base64'), filename: `${this.fixmedinsCode}_${date}.zip`, fixmedins_code: this.fixmedinsCode },
    });
    if (up.kind !== 'ok') return { ...report, error: `9101: ${up.kind === 'business-error' ? up.message : up.code}` };
    const det = await this.client.send('3202', {
      data: {
        setl_optins: rows[0]?.admdvs ?? '000000',
        file_qury_no: up.output.file_qury_no,
        stmt_begndate: date,
        stmt_enddate: date,
        medfee_sumamt: sum(rows, 'medfee'),
        fund_pay_sumamt: sum(rows, 'fund'),
        cash_payamt: sum(rows, 'cash'),
        fixmedins_setl_cnt: rows.length,
      },
    });
    if (det.kind !== 'ok') return { ...report, error: `3202: ${det.kind === 'business-error' ? det.message : det.code}` };
    const verdict = await this.client.send('9102', {
      fsDownloadIn: { file_qury_no: det.output.fileinfo.file_qury_no, filename: det.output.fileinfo.filename, fixmedins_code: this.fixmedinsCode },
    });
    if (verdict.kind !== 'ok') return { ...report, error: `9102: ${verdict.kind === 'business-error' ? verdict.message : verdict.code}` };
    let lines: VerdictRow[];
    try {
      lines = decodeVerdictFile(verdict.output);
    } catch (err) {
      return { ...report, error: `9102: ${(err as Error).message}` };
    }
    const detail = {
      centreRows: lines.length,
      matched: 0,
      repaired: [] as { setlId: string; msgid: string; action: string }[],
      reported: [] as { setlId: string; msgid: string; problem: string }[],
    };
    for (const { psnNo, mdtrtId, setlId, msgid, result: rslt, memo, medfee, fund, acct } of lines) {
      if (rslt === '0') {
        detail.matched++;
        continue;
      }
      if (rslt === '2') {
        const j = msgid ? this.outbox.journalByMsgid(msgid) : undefined;
        if (!j) {
          detail.reported.push({ setlId, msgid, problem: 'the centre holds a settlement this terminal never sent' });
          continue;
        }
        const item = this.outbox.get<SettlementPayload, SettlementResult>(j.item_id);
        if (item.state === 'done' && item.result?.msgid !== msgid) {
          // Settled twice at the centre: undo the one the terminal does not count.
          const r = await this.client.send('2601', { data: { psn_no: psnNo, omsgid: msgid, oinfno: j.infno } });
          if (r.kind === 'ok') {
            this.outbox.journalOutcome(msgid, 'reversed', 'duplicate found by reconciliation');
            detail.repaired.push({ setlId, msgid, action: 'reversed-duplicate' });
          } else detail.reported.push({ setlId, msgid, problem: `duplicate at the centre; reversal failed: ${r.kind}` });
        } else if (item.state === 'unknown' || item.state === 'needs-attention' || item.state === 'sending') {
          // The settlement happened; the terminal never heard. Record it as done.
          const split = {
            medfee,
            fund,
            hifp: fund,
            hifmi: fen(0),
            hifob: fen(0),
            maf: fen(0),
            acct,
            mulaid: fen(0),
            cash: fen(medfee - fund - acct),
            balance: null,
          };
          this.outbox.db.transaction(() => {
            this.outbox.journalOutcome(msgid, 'ok', 'confirmed by reconciliation', setlId);
            this.outbox.update(item.itemId, {
              state: 'done',
              reason: 'CONFIRMED_BY_RECONCILIATION',
              result: { setlId, mdtrtId, msgid, split, settledAt: this.clock.nowIso() },
            });
          })();
          detail.repaired.push({ setlId, msgid, action: 'confirmed' });
        } else detail.reported.push({ setlId, msgid, problem: `centre holds it; terminal item is ${item.state}` });
      } else detail.reported.push({ setlId, msgid, problem: rslt === '1' ? 'the centre has no such settlement' : memo || `mismatch ${rslt}` });
    }
    this.log.info('outbox.reconciled', { date, matched: detail.matched, repaired: detail.repaired.length, reported: detail.reported.length });
    return { ...report, detail };
  }
}
