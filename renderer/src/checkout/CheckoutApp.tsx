import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../bridge';
import { codeOf } from '../face/FaceCapture';
import { BasketPanel } from './Basket';
import { clockTime, useErrorText, type RunAction } from './common';
import { CustomerPanel } from './Customer';
import { PaymentPanel } from './Payment';
import { QueueTab } from './Queue';
import { SalesTab } from './Sales';
import { ShiftTab, type ShiftView } from './Shift';
import { useCounterSale } from './useCounterSale';

type Tab = 'sell' | 'sales' | 'queue' | 'shift';
const TABS: readonly Tab[] = ['sell', 'sales', 'queue', 'shift'];

/**
 * The pharmacy counter. Main owns the money path (shift, quote, pay, refund) and refuses what its
 * rules forbid; this screen asks, shows main's refusals through the message catalogue, and keeps
 * the sale in progress while the cashier visits the other tabs.
 */
export function CheckoutApp() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const bridge = getBridge();
  const [tab, setTab] = useState<Tab>('sell');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [shift, setShift] = useState<ShiftView | null>(null);
  const sale = useCounterSale(setError);

  const refreshShift = useCallback(
    () =>
      bridge
        .call('checkout.shift', { action: 'status' })
        .then(setShift)
        .catch((e: unknown) => setError(codeOf(e))),
    [bridge],
  );
  useEffect(() => void refreshShift(), [refreshShift]);
  // Opened or closed from another page of this terminal (or by a test driver): shown at once.
  // A close report this page asked for stays on screen; the event carries none.
  useEffect(() => bridge.on('checkout.shift', (s) => setShift((prev) => ({ ...s, report: !s.open && prev && !prev.open ? prev.report : null }))), [bridge]);

  const run: RunAction = useCallback(
    async (action) => {
      setBusy(true);
      setError(null);
      try {
        await action();
      } catch (e) {
        const code = codeOf(e);
        setError(code);
        // The shift may have been opened or closed from another page of this terminal.
        if (code === 'SHIFT_NOT_OPEN' || code === 'SHIFT_ALREADY_OPEN') void refreshShift();
      } finally {
        setBusy(false);
      }
    },
    [refreshShift],
  );

  const showTab = (next: Tab) => {
    setTab(next);
    setError(null);
  };

  return (
    <main className="checkout" data-testid="checkout">
      <nav className="tabs" aria-label={t('checkout.tabs')}>
        {TABS.map((x) => (
          <button key={x} type="button" aria-pressed={tab === x} className={tab === x ? 'primary' : ''} onClick={() => showTab(x)}>
            {t(`checkout.tab.${x}`)}
          </button>
        ))}
        {shift && (
          <p className={shift.open ? 'shift-status' : 'shift-status error-text'} data-testid="shift-status" data-open={shift.open}>
            {shift.open ? t('shift.openSince', { cashier: shift.cashier, at: shift.openedAt ? clockTime(shift.openedAt) : '' }) : t('shift.closed')}
          </p>
        )}
      </nav>
      {error && (
        <p role="alert" className="error-text big" data-testid="checkout-error" data-code={error}>
          {errorText(error)}
        </p>
      )}
      {tab === 'sell' && (
        <div className="counter">
          <BasketPanel sale={sale} locked={busy || sale.paid} busy={busy} />
          <section className="customer" aria-label={t('checkout.customer')}>
            <CustomerPanel sale={sale} run={run} onError={setError} />
            <PaymentPanel sale={sale} run={run} busy={busy} />
            {(sale.customer || sale.lines.length > 0 || sale.outcome) && (
              <div className="actions">
                <button type="button" data-testid="next-customer" disabled={busy} onClick={() => void run(sale.nextCustomer)}>
                  {t('checkout.next')}
                </button>
              </div>
            )}
          </section>
        </div>
      )}
      {tab === 'sales' && <SalesTab run={run} busy={busy} onError={setError} />}
      {tab === 'queue' && <QueueTab run={run} busy={busy} onError={setError} />}
      {tab === 'shift' && <ShiftTab shift={shift} onShift={setShift} run={run} busy={busy} />}
    </main>
  );
}
