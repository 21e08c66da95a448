import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney, type RequestOutput } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';
import { clockTime, useReasonText, type RunAction } from './common';

export type ShiftView = RequestOutput<'checkout.shift'>;
type ShiftReport = NonNullable<ShiftView['report']>;

/** The contract's bound on the cashier's name or number. */
const CASHIER_MAX = 20;

/** Opening the shift under the cashier's name or number, closing it and its report. */
export function ShiftTab({ shift, onShift, run, busy }: { shift: ShiftView | null; onShift: (s: ShiftView) => void; run: RunAction; busy: boolean }) {
  const { t } = useTranslation();
  const bridge = getBridge();
  const [cashier, setCashier] = useState(() => t('shift.defaultCashier'));
  const act = (input: { action: 'open'; cashier: string } | { action: 'close' }) => run(async () => onShift(await bridge.call('checkout.shift', input)));
  return (
    <section className="shift" data-testid="shift">
      {shift?.open === false && (
        <div className="actions">
          <label className="field">
            {t('shift.cashier')}
            <input data-testid="shift-cashier" maxLength={CASHIER_MAX} value={cashier} onChange={(e) => setCashier(e.target.value)} />
          </label>
          <button
            type="button"
            className="primary"
            data-testid="shift-open"
            disabled={busy || !cashier.trim()}
            onClick={() => void act({ action: 'open', cashier: cashier.trim() })}
          >
            {t('shift.open')}
          </button>
        </div>
      )}
      {shift?.open && (
        <div className="actions">
          <button type="button" className="primary" data-testid="shift-close" disabled={busy} onClick={() => void act({ action: 'close' })}>
            {t('shift.close')}
          </button>
        </div>
      )}
      {shift?.report && <ShiftReportView report={shift.report} />}
    </section>
  );
}

function ShiftReportView({ report }: { report: ShiftReport }) {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  const groups = ['sales', 'refunds', 'net'] as const;
  const amounts = ['medfee', 'fund', 'account', 'cash'] as const;
  return (
    <div className="shift-report" data-testid="shift-report">
      <h2>{t('shift.report')}</h2>
      <dl className="rows">
        <div className="row">
          <dt>{t('shift.shiftId')}</dt>
          <dd>{report.shiftId.slice(0, 8)}</dd>
        </div>
        <div className="row">
          <dt>{t('shift.cashier')}</dt>
          <dd data-testid="report-cashier">{report.cashier}</dd>
        </div>
        <div className="row">
          <dt>{t('shift.openedAt')}</dt>
          <dd>{clockTime(report.openedAt)}</dd>
        </div>
        <div className="row">
          <dt>{t('shift.closedAt')}</dt>
          <dd>{clockTime(report.closedAt)}</dd>
        </div>
      </dl>
      <table className="report-table">
        <thead>
          <tr>
            <th />
            {groups.map((g) => (
              <th key={g} scope="col">
                {t(`shift.${g}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">{t('shift.count')}</th>
            {groups.map((g) => (
              <td key={g} data-testid={`report-${g}-count`}>
                {report[g].count}
              </td>
            ))}
          </tr>
          {amounts.map((a) => (
            <tr key={a}>
              <th scope="row">{t(`fields.${a === 'medfee' ? 'total' : a}`)}</th>
              {groups.map((g) => (
                <td key={g} data-testid={`report-${g}-${a}`}>
                  {formatMoney(report[g][a])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="rows">
        <div className="row">
          <dt>{t('shift.offline')}</dt>
          <dd data-testid="report-offline">{t('shift.offlineValue', { count: report.offline.count, medfee: formatMoney(report.offline.medfee) })}</dd>
        </div>
        <div className="row">
          <dt>{t('shift.audit')}</dt>
          <dd data-testid="report-audit">
            {t('shift.auditValue', { warnings: report.audit.warnings, blocked: report.audit.blocked, overridden: report.audit.overridden.length })}
          </dd>
        </div>
        <div className="row">
          <dt>{t('shift.attention')}</dt>
          <dd data-testid="report-attention-count">{report.attention.length}</dd>
        </div>
      </dl>
      {report.attention.length > 0 && (
        <ul className="list" data-testid="report-attention">
          {report.attention.map((a) => (
            <li key={a.itemId}>
              {a.saleId.slice(0, 8)}
              {a.reason && ` · ${reasonText(a.reason)}`}
              {a.collect !== null && ` · ${t('queue.collect', { amount: formatMoney(a.collect) })}`}
            </li>
          ))}
        </ul>
      )}
      <p className="hint" data-testid="report-receipt">
        {report.receiptJobId ? t('shift.reportPrinted') : t('shift.reportNotPrinted')}
      </p>
    </div>
  );
}
