import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney, FUND_TIER_KEYS } from '../../../main/bridge/contract';
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
    <div className="payment">
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
      {!sale.paid && sale.customer && <MutualAidPanel sale={sale} run={run} busy={busy} />}
      {!sale.paid && (
        <div className="actions">
          <button type="button" className="primary" data-testid="quote-request" disabled={!canQuote} onClick={() => void run(sale.requestQuote)}>
            {t('checkout.quote')}
          </button>
        </div>
      )}
      {sale.quote && (
        <QuotePanel
          key={sale.quote.quoteId}
          quote={sale.quote}
          busy={busy}
          mutualAid={!!sale.mutualAid?.owner}
          onPay={(ownerConfirmed) => void run(() => sale.pay(ownerConfirmed))}
          onAnswer={(answers) => void run(() => sale.answerAudit(answers))}
        />
      )}
      {sale.outcome && <SaleOutcome view={sale.outcome} paid={sale.paid} />}
    </div>
  );
}

/** The fund's tiers, shown under 医保基金; the account and cash have their own rows. */

/**
 * 事中审核: each warning with its rule, content, amount and severity. A 明确违规 stops the sale (the
 * basket must change); a 提示 may be passed only with a written reason, which main keeps and sends
 * to the platform (3103).
 */
function AuditPanel({ audit, busy, onAnswer }: { audit: Quote['audit']; busy: boolean; onAnswer: (answers: { warningId: string; reason: string }[]) => void }) {
  const { t } = useTranslation();
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const open = audit.warnings.filter((w) => w.severity === 'warn' && w.disposition !== 'continue');
  const ready = open.length > 0 && open.every((w) => (reasons[w.warningId] ?? '').trim().length >= 4);
  return (
    <section className="audit" data-testid="audit" data-blocked={audit.blocked} data-open={audit.open} aria-label={t('checkout.audit.title')}>
      <h3>{t('checkout.audit.title')}</h3>
      {audit.source === 'local' && <p className="hint">{t('checkout.audit.local')}</p>}
      <ul>
        {audit.warnings.map((w) => (
          <li
            key={w.warningId}
            data-testid="audit-warning"
            data-rule={w.ruleId}
            data-severity={w.severity}
            className={w.severity === 'block' ? 'error-text' : ''}
          >
            <strong>
              [{t(`checkout.audit.${w.severity}`)}] {w.ruleName}
            </strong>
            ：{w.content}（{t('checkout.audit.amount', { amount: formatMoney(w.amount) })}）{w.basis && <span className="hint"> {w.basis}</span>}
            {w.severity === 'warn' &&
              (w.disposition === 'continue' ? (
                <p className="hint">{t('checkout.audit.answered', { reason: w.reason })}</p>
              ) : (
                <label className="field">
                  {t('checkout.audit.reason')}
                  <textarea
                    data-testid={`audit-reason-${w.ruleId}`}
                    maxLength={500}
                    value={reasons[w.warningId] ?? ''}
                    disabled={busy || audit.blocked}
                    onChange={(e) => setReasons((r) => ({ ...r, [w.warningId]: e.target.value }))}
                  />
                </label>
              ))}
          </li>
        ))}
      </ul>
      {audit.blocked ? (
        <p className="error-text big" role="alert" data-testid="audit-blocked">
          {t('checkout.audit.blocked')}
        </p>
      ) : (
        open.length > 0 && (
          <>
            <p className="hint">{t('checkout.audit.needReasons')}</p>
            <button
              type="button"
              className="primary"
              data-testid="audit-continue"
              disabled={busy || !ready}
              onClick={() => onAnswer(open.map((w) => ({ warningId: w.warningId, reason: reasons[w.warningId]!.trim() })))}
            >
              {t('checkout.audit.continue')}
            </button>
          </>
        )
      )}
    </section>
  );
}

/**
 * 家庭共济: the customer's purchase paid from a family member's personal account. The account
 * owner presents their own ID card or 医保码; main checks that they bound this customer.
 */
function MutualAidPanel({ sale, run, busy }: { sale: CounterSale; run: RunAction; busy: boolean }) {
  const { t } = useTranslation();
  const m = sale.mutualAid;
  return (
    <section className="mutual-aid" data-testid="mutual-aid" aria-label={t('checkout.mutualAid.title')}>
      {!m?.waiting && !m?.owner && (
        <button type="button" data-testid="mutual-aid-start" disabled={busy} onClick={() => void run(sale.startMutualAid)}>
          {t('checkout.mutualAid.start')}
        </button>
      )}
      {m?.waiting && (
        <p className="big" role="status" data-testid="mutual-aid-waiting">
          {t('checkout.mutualAid.waiting')}
        </p>
      )}
      {m?.owner && <p data-testid="mutual-aid-owner">{t('checkout.mutualAid.owner', { name: m.owner.maskedName, no: m.owner.maskedNo })}</p>}
      {m?.error && (
        <p className="error-text" role="alert" data-testid="mutual-aid-error">
          {t(`errors.${m.error}`, { defaultValue: t('checkout.mutualAid.failed') })}
        </p>
      )}
      {(m?.waiting || m?.owner || m?.error) && (
        <button type="button" data-testid="mutual-aid-cancel" disabled={busy} onClick={() => void run(sale.cancelMutualAid)}>
          {t('checkout.mutualAid.cancel')}
        </button>
      )}
    </section>
  );
}

function QuotePanel({
  quote,
  busy,
  mutualAid,
  onPay,
  onAnswer,
}: {
  quote: Quote;
  busy: boolean;
  mutualAid: boolean;
  onPay: (ownerConfirmed: boolean) => void;
  onAnswer: (answers: { warningId: string; reason: string }[]) => void;
}) {
  const { t } = useTranslation();
  const [ownerAgreed, setOwnerAgreed] = useState(false);
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
        {quote.tiers
          .filter((tier) => FUND_TIER_KEYS.includes(tier.key))
          .map((tier) => (
            <div key={tier.key} className="row tier">
              <dt>{tier.label}</dt>
              <dd data-testid={`quote-tier-${tier.key}`}>{formatMoney(tier.amount)}</dd>
            </div>
          ))}
        <div className="row">
          <dt>{t('fields.account')}</dt>
          <dd data-testid="quote-account">{formatMoney(split.acct)}</dd>
        </div>
        {split.mulaid > 0 && (
          <div className="row">
            <dt>{t('checkout.mutualAid.paid')}</dt>
            <dd data-testid="quote-mutual-aid">{formatMoney(split.mulaid)}</dd>
          </div>
        )}
        <div className="row">
          <dt>{t('fields.cash')}</dt>
          <dd data-testid="quote-cash">{formatMoney(split.cash)}</dd>
        </div>
      </dl>
      {quote.audit.warnings.length > 0 && <AuditPanel audit={quote.audit} busy={busy} onAnswer={onAnswer} />}
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
          {mutualAid && (
            <label className="check big">
              <input type="checkbox" data-testid="owner-confirm" checked={ownerAgreed} onChange={(e) => setOwnerAgreed(e.target.checked)} />{' '}
              {t('checkout.mutualAid.ownerAgrees')}
            </label>
          )}
          <button
            type="button"
            className="primary big"
            data-testid="pay-confirm"
            disabled={busy || quote.audit.blocked || quote.audit.open > 0 || (mutualAid && !ownerAgreed)}
            onClick={() => onPay(mutualAid && ownerAgreed)}
          >
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
