import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney, refundReasons, type RefundReason, type RequestOutput } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';
import { codeOf } from '../face/FaceCapture';
import { clockTime, useReasonText, type RunAction } from './common';

type SaleRow = RequestOutput<'checkout.sales'>['sales'][number];
type Refund = RequestOutput<'checkout.refund'>;

/** Today's sales and refunds; a settled sale is refunded with a reason the cashier picks. */
export function SalesTab({ run, busy, onError }: { run: RunAction; busy: boolean; onError: (code: string) => void }) {
  const { t } = useTranslation();
  const bridge = getBridge();
  const reasonText = useReasonText();
  const [rows, setRows] = useState<SaleRow[]>([]);
  const [refunding, setRefunding] = useState<string | null>(null);
  const [refund, setRefund] = useState<Refund | null>(null);
  const load = useCallback(
    () =>
      bridge
        .call('checkout.sales', {})
        .then((r) => setRows(r.sales))
        .catch((e: unknown) => onError(codeOf(e))),
    [bridge, onError],
  );
  useEffect(() => void load(), [load]);

  const confirm = (saleId: string, reason: RefundReason, note: string) =>
    run(async () => {
      const r = await bridge.call('checkout.refund', { saleId, reason, ...(note.trim() ? { note: note.trim() } : {}), cashierConfirmed: true });
      setRefunding(null);
      setRefund(r);
      await load();
    });

  return (
    <section data-testid="sales">
      {refund && <RefundOutcome refund={refund} />}
      {rows.length === 0 && <p className="hint">{t('common.none')}</p>}
      <ul className="list">
        {rows.map((s) => (
          <li key={s.itemId} data-testid={`sale-${s.itemId}`} data-kind={s.kind} data-state={s.state}>
            {clockTime(s.at)} · {t(`checkout.kind.${s.kind}`)} · {formatMoney(s.total)} ·{' '}
            {s.kind === 'sale' ? t(`checkout.state.${s.state}`, { defaultValue: s.state }) : t(`checkout.refundState.${s.state}`, { defaultValue: s.state })}
            {s.setlId && ` · ${s.setlId}`}
            {s.reason && ` · ${s.kind === 'refund' ? t(`checkout.refundReason.${s.reason}`, { defaultValue: s.reason }) : reasonText(s.reason)}`}{' '}
            {s.refundable && refunding !== s.saleId && (
              <button type="button" data-testid={`refund-${s.saleId}`} disabled={busy} onClick={() => (setRefunding(s.saleId), setRefund(null))}>
                {t('checkout.refund')}
              </button>
            )}
            {refunding === s.saleId && (
              <RefundStep busy={busy} onConfirm={(reason, note) => void confirm(s.saleId, reason, note)} onCancel={() => setRefunding(null)} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The reason (one of main's fixed list), an optional note, then the cashier's confirmation. */
function RefundStep({ busy, onConfirm, onCancel }: { busy: boolean; onConfirm: (reason: RefundReason, note: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState<RefundReason | null>(null);
  const [note, setNote] = useState('');
  return (
    <fieldset className="refund-step" data-testid="refund-step">
      <legend>{t('checkout.refundReasonTitle')}</legend>
      <div className="tiles reasons">
        {refundReasons.map((r) => (
          <button key={r} type="button" className="tile" aria-pressed={reason === r} data-testid={`refund-reason-${r}`} onClick={() => setReason(r)}>
            {t(`checkout.refundReason.${r}`)}
          </button>
        ))}
      </div>
      <label className="field">
        {t('checkout.refundNote')}
        <input data-testid="refund-note" maxLength={100} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="actions">
        <button
          type="button"
          className="primary"
          data-testid="refund-confirm"
          disabled={busy || reason === null}
          onClick={() => reason && onConfirm(reason, note)}
        >
          {t('checkout.confirmRefund')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </fieldset>
  );
}

function RefundOutcome({ refund }: { refund: Refund }) {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  const done = refund.state === 'done';
  return (
    <div role="status" className={done ? 'ok-text big' : 'error-text big'} data-testid="refund-outcome" data-state={refund.state}>
      {done ? t('checkout.refunded') : t('checkout.stateIs', { state: t(`checkout.refundState.${refund.state}`, { defaultValue: refund.state }) })}
      {done && ` ${refund.receiptJobId ? t('checkout.refundReceiptPrinted') : t('checkout.receiptNotPrinted')}`}
      {!done && refund.reason && ` ${reasonText(refund.reason)}`}
    </div>
  );
}
