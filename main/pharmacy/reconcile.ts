/**
 * End-of-day reconciliation: 3201 totals per insurance type, then 3202 detail (the terminal's
 * settlements uploaded with 9101, the centre's verdict fetched with 9102). Every mismatch is
 * repaired where the journal says how, and reported where it does not.
 */
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { formatYuan, type Fen } from '../bridge/contract/money';
import type { PlatformClient } from '../platform/client';
import { beijingDate } from '../platform/envelope';
import { readZip, writeZip } from '../platform/zip';
import type { Outbox } from '../outbox/outbox';
import type { SettlementPayload, SettlementResult } from './settlement';

export interface ReconcileReport {
  date: string;
  totals: { insutype: string; count: number; medfee: number; fund: number; acct: number; result: string; description: string }[];
  detail: { centreRows: number; matched: number; repaired: { setlId: string; msgid: string; action: string }[]; reported: { setlId: string; msgid: string; problem: string }[] } | null;
  error: string | null;
}

const y = (f: number) => Number(formatYuan(f as Fen));

export class Reconciler {
  constructor(
    private readonly outbox: Outbox,
    private readonly client: PlatformClient,
    private readonly fixmedinsCode: string,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  private settled(date: string) {
    return this.outbox
      .list({ kind: 'pharmacy-settlement' })
      .filter((i) => (i.state === 'done' || (i.state === 'needs-attention' && (i.result as SettlementResult | null)?.setlId)) && beijingDate(Date.parse((i.result as SettlementResult).settledAt)) === date)
      .map((i) => ({ item: i, p: i.payload as SettlementPayload, r: i.result as SettlementResult }));
  }

  async reconcile(date: string): Promise<ReconcileReport> {
    const rows = this.settled(date);
    const report: ReconcileReport = { date, totals: [], detail: null, error: null };
    for (const insutype of ['310', '390'] as const) {
      const mine = rows.filter((x) => x.p.person.insutype === insutype);
      const sum = (k: 'medfee' | 'fund' | 'acct') => mine.reduce((s, x) => s + x.r.split[k], 0);
      const r = await this.client.send('3201', {
        data: { insutype, clr_type: '41', setl_optins: mine[0]?.p.person.insuplcAdmdvs ?? '000000', stmt_begndate: date, stmt_enddate: date, medfee_sumamt: y(sum('medfee')), fund_pay_sumamt: y(sum('fund')), acct_pay: y(sum('acct')), fixmedins_setl_cnt: mine.length },
      });
      report.totals.push({ insutype, count: mine.length, medfee: sum('medfee'), fund: sum('fund'), acct: sum('acct'), result: r.kind === 'ok' ? r.output.stmtinfo.stmt_rslt : r.kind, description: r.kind === 'ok' ? r.output.stmtinfo.stmt_rslt_dscr : r.message });
    }
    const text = rows.map((x) => [x.r.setlId, x.r.mdtrtId, x.p.person.psnNo, y(x.r.split.medfee), y(x.r.split.fund), y(x.r.split.acct), '0'].join('\t')).join('\n');
    const up = await this.client.send('9101', { fsUploadIn: { in: writeZip([{ name: `${this.fixmedinsCode}_${date}.txt`, data: Buffer.from(text, 'utf8') }]).toString('base64'), filename: `${this.fixmedinsCode}_${date}.zip`, fixmedins_code: this.fixmedinsCode } });
    if (up.kind !== 'ok') return { ...report, error: `9101: ${up.kind === 'business-error' ? up.message : up.code}` };
    const det = await this.client.send('3202', { data: { setl_optins: rows[0]?.p.person.insuplcAdmdvs ?? '000000', file_qury_no: up.output.file_qury_no, stmt_begndate: date, stmt_enddate: date, medfee_sumamt: y(rows.reduce((s, x) => s + x.r.split.medfee, 0)), fund_pay_sumamt: y(rows.reduce((s, x) => s + x.r.split.fund, 0)), cash_payamt: y(rows.reduce((s, x) => s + x.r.split.cash, 0)), fixmedins_setl_cnt: rows.length } });
    if (det.kind !== 'ok') return { ...report, error: `3202: ${det.kind === 'business-error' ? det.message : det.code}` };
    const file = await this.client.send('9102', { fsDownloadIn: { file_qury_no: det.output.fileinfo.file_qury_no, filename: det.output.fileinfo.filename, fixmedins_code: this.fixmedinsCode } });
    if (file.kind !== 'ok') return { ...report, error: `9102: ${file.kind === 'business-error' ? file.message : file.code}` };
    const lines = (readZip(file.output)[0]?.data.toString('utf8') ?? '').split('\n').filter(Boolean).map((l) => l.split('\t'));
    const detail = { centreRows: lines.length, matched: 0, repaired: [] as { setlId: string; msgid: string; action: string }[], reported: [] as { setlId: string; msgid: string; problem: string }[] };
    for (const [psnNo = '', mdtrtId = '', setlId = '', msgid = '', rslt = '', , memo = '', medfee = '0', fund = '0', acct = '0'] of lines) {
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
          const r = await this.client.send('2601', { data: { psn_no: psnNo, omsgid: msgid, oinfno: '2102' } });
          if (r.kind === 'ok') {
            this.outbox.journalOutcome(msgid, 'reversed', 'duplicate found by reconciliation');
            detail.repaired.push({ setlId, msgid, action: 'reversed-duplicate' });
          } else detail.reported.push({ setlId, msgid, problem: `duplicate at the centre; reversal failed: ${r.kind}` });
        } else if (item.state === 'unknown' || item.state === 'needs-attention' || item.state === 'sending') {
          // The settlement happened; the terminal never heard. Record it as done.
          const f = (v: string) => Math.round(Number(v) * 100) as Fen;
          const split = { medfee: f(medfee), fund: f(fund), hifp: f(fund), hifmi: 0 as Fen, hifob: 0 as Fen, maf: 0 as Fen, acct: f(acct), mulaid: 0 as Fen, cash: (f(medfee) - f(fund) - f(acct)) as Fen, balance: null };
          this.outbox.db.transaction(() => {
            this.outbox.journalOutcome(msgid, 'ok', 'confirmed by reconciliation', setlId);
            this.outbox.update(item.itemId, { state: 'done', reason: 'CONFIRMED_BY_RECONCILIATION', result: { setlId, mdtrtId, msgid, split, settledAt: this.clock.nowIso() } });
          })();
          detail.repaired.push({ setlId, msgid, action: 'confirmed' });
        } else detail.reported.push({ setlId, msgid, problem: `centre holds it; terminal item is ${item.state}` });
      } else detail.reported.push({ setlId, msgid, problem: rslt === '1' ? 'the centre has no such settlement' : memo || `mismatch ${rslt}` });
    }
    this.log.info('outbox.reconciled', { date, matched: detail.matched, repaired: detail.repaired.length, reported: detail.reported.length });
    return { ...report, detail };
  }
}
