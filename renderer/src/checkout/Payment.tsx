import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../../main/bridge/contract';
import { clockTime, useReasonText, type RunAction } from './common';
import type { CounterSale, Quote, SaleView } from './useCounterSale';

/**
 * Pre-settlement and payment: the account flag and the prescription make the order; the quote's
 * split is shown with its expiry; the cashier pays only after the customer has accepted the split.
 */
export function PaymentPanel({ sale, run, busy }: { sale: CounterSale; run: RunAction; busy: boolean }) {
  const { t } = useTranslation();
  const locked = busy || sale.paid;
  const canQuote = !locked && sale.customer !== null && sale.lines.length > 0 && (!sale.needsPrescription || sale.prescriptionComplete);
  return (
    <>
      <label className="check">
        <input type="checkbox" checked={sale.useAccount} disabled={locked} onChange={(e) => sale.setUseAccount(e.target.checked)} /> {t('checkout.useAccount')}
      </label>
      {sale.needsPrescription && (
        <fieldset className="rx" data-testid="prescription" disabled={locked}>
          <legend>{t('checkout.rxTitle')}</legend>
          {(['rxno', 'doctorName', 'doctorCode'] as const).map((k) => (
            <label key={k} className="field">
              {t(`checkout.rxField.${k}`)}
              <input value={sale.prescription[k]} maxLength={k === 'doctorName' ? 50 : 30} onChange={(e) => sale.changePrescription({ [k]: e.target.value })} />
            </label>
          ))}
          <label className="check">
            <input type="checkbox" checked={sale.prescription.external} onChange={(e) => sale.changePrescription({ external: e.target.checked })} />{' '}
            {t('checkout.rxField.external')}
          </label>
          {!sale.prescriptionComplete && <p className="hint">{t('checkout.rxNeeded')}</p>}
        </fieldset>
      )}
      {!sale.paid && (
        <div className="actions">
          <button type="button" className="primary" data-testid="quote-request" disabled={!canQuote} onClick={() => void run(sale.requestQuote)}>
            {t('checkout.quote')}
          </button>
        </div>
      )}
      {sale.quote && <QuotePanel key={sale.quote.quoteId} quote={sale.quote} busy={busy} onPay={() => void run(sale.pay)} />}
      {sale.outcome && <SaleOutcome view={sale.outcome} paid={sale.paid} />}
    </>
  );
}

function QuotePanel({ quote, busy, onPay }: { quote: Quote; busy: boolean; onPay: () => void }) {
  const { t } = useTranslation();
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    const timer = window.setTimeout(() => setExpired(true), Date.parse(quote.expiresAt) - Date.now());
    return () => window.clearTimeout(timer);
  }, [quote.expiresAt]);
  const { split } = quote;
  return (
    <div className="quote" data-testid="quote" data-mode={quote.mode}>
      {quote.mode === 'offline' && (
        <p className="error-text" role="status">
          {t('checkout.offline')}
        </p>
      )}
      <dl className="rows">
        <div className="row">
          <dt>{t('fields.total')}</dt>
          <dd data-testid="quote-total">{formatMoney(split.medfee)}</dd>
        </div>
        <div className="row">
          <dt>{t('fields.fund')}</dt>
          <dd data-testid="quote-fund">{formatMoney(split.fund)}</dd>
        </div>
        <div className="row">
          <dt>{t('fields.account')}</dt>
          <dd data-testid="quote-account">{formatMoney(split.acct + split.mulaid)}</dd>
        </div>
        <div className="row">
          <dt>{t('fields.cash')}</dt>
          <dd data-testid="quote-cash">{formatMoney(split.cash)}</dd>
        </div>
      </dl>
      <p className="hint" data-testid="quote-expires">
        {t('checkout.expiresAt', { time: clockTime(quote.expiresAt) })}
      </p>
      {expired ? (
        <p className="error-text big" data-testid="quote-expired">
          {t('checkout.quoteExpired')}
        </p>
      ) : (
        <>
          <p className="confirm-prompt">{t('checkout.confirmPrompt')}</p>
          <button type="button" className="primary big" data-testid="pay-confirm" disabled={busy} onClick={onPay}>
            {t('checkout.confirm')}
          </button>
        </>
      )}
    </div>
  );
}

function SaleOutcome({ view, paid }: { view: SaleView; paid: boolean }) {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  const taken = view.state === 'settled' || view.state === 'pending-offline';
  const headline =
    view.state === 'settled'
      ? t('checkout.settled', { setl: view.setlId })
      : view.state === 'pending-offline'
        ? t('checkout.pendingOffline')
        : t('checkout.stateIs', { state: t(`checkout.state.${view.state}`) });
  return (
    <div className="sale-outcome" data-testid="sale" data-state={view.state} data-offline={view.offline}>
      <p className={taken ? 'ok-text big' : 'error-text big'}>{headline}</p>
      {view.reason && !taken && <p className="hint">{reasonText(view.reason)}</p>}
      {paid && <p data-testid="sale-receipt">{view.receiptJobId ? t('checkout.receiptPrinted') : t('checkout.receiptNotPrinted')}</p>}
      {taken && (
        <p className="big-number" data-testid="sale-cash">
          {t('checkout.collectCash', { cash: formatMoney(view.cashCollected) })}
        </p>
      )}
      {view.collect !== null && <p className="error-text big">{t('queue.collect', { amount: formatMoney(view.collect) })}</p>}
      {paid && !taken && <p className="hint">{t('checkout.seeQueue')}</p>}
    </div>
  );
}
