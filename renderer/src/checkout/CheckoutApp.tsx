import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RequestOutput } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';
import { useSession } from '../shell/useSession';
import { FaceCapture, codeOf } from '../face/FaceCapture';
import { yuan } from '../kiosk/services/common';

type Drug = RequestOutput<'checkout.catalogue'>['drugs'][number];
type Quote = RequestOutput<'checkout.quote'>;
type Sale = RequestOutput<'checkout.pay'>;
type Tab = 'sell' | 'sales' | 'queue' | 'shift';

/** The pharmacy counter: basket, customer, pre-settlement, settlement, receipts, refunds, queue, shift. */
export function CheckoutApp() {
  const { t } = useTranslation();
  const bridge = getBridge();
  const session = useSession();
  const [tab, setTab] = useState<Tab>('sell');
  const [drugs, setDrugs] = useState<Drug[]>([]);
  const [basket, setBasket] = useState<Record<string, number>>({});
  const [useAccount, setUseAccount] = useState(true);
  const [customer, setCustomer] = useState<RequestOutput<'checkout.customer'>['customer']>(null);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [sale, setSale] = useState<Sale | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [facePay, setFacePay] = useState<string | null>(null);
  const [factor, setFactor] = useState('');
  const [enrol, setEnrol] = useState<'consent' | 'capture' | null>(null);
  const [enrolled, setEnrolled] = useState(false);
  const [rx, setRx] = useState({ rxno: '', doctorCode: '', doctorName: '', external: false });

  useEffect(() => void bridge.call('checkout.catalogue', {}).then((r) => setDrugs(r.drugs)), [bridge]);
  useEffect(() => bridge.on('checkout.scan', (e) => setBasket((b) => ({ ...b, [e.listCode]: (b[e.listCode] ?? 0) + 1 }))), [bridge]);
  useEffect(() => {
    setQuote(null);
    setEnrolled(false);
    if (!session) return setCustomer(null);
    bridge
      .call('checkout.customer', {})
      .then((r) => setCustomer(r.customer))
      .catch((e: unknown) => setError(codeOf(e)));
  }, [session, bridge]);
  useEffect(() => setQuote(null), [basket, useAccount, rx]);

  // A code the loaded catalogue does not know (yet) is not shown and not sent.
  const items = Object.entries(basket)
    .filter(([code, q]) => q > 0 && drugs.some((d) => d.listCode === code))
    .map(([listCode, quantity]) => ({ listCode, quantity }));
  const needsRx = items.some((i) => drugs.find((d) => d.listCode === i.listCode)?.prescription);
  const rxComplete = !!(rx.rxno.trim() && rx.doctorCode.trim() && rx.doctorName.trim());
  const order = { items, useAccount, ...(needsRx ? { prescription: rx } : {}) };
  const total = items.reduce((s, i) => s + (drugs.find((d) => d.listCode === i.listCode)?.price ?? 0) * i.quantity, 0);
  const errText = (code: string) => t(`errors.${code}`, { defaultValue: t('errors.fallback', { code }) });
  const run = useCallback(async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(codeOf(e));
    } finally {
      setBusy(false);
    }
  }, []);

  const newSale = () => {
    setBasket({});
    setRx({ rxno: '', doctorCode: '', doctorName: '', external: false });
    setQuote(null);
    setSale(null);
    void bridge.call('checkout.endCustomer', {});
  };

  return (
    <main className="checkout" data-testid="checkout">
      <nav className="tabs" aria-label={t('checkout.tabs')}>
        {(['sell', 'sales', 'queue', 'shift'] as Tab[]).map((x) => (
          <button key={x} type="button" aria-pressed={tab === x} className={tab === x ? 'primary' : ''} onClick={() => setTab(x)}>
            {t(`checkout.tab.${x}`)}
          </button>
        ))}
      </nav>
      {error && (
        <p role="alert" className="error-text" data-testid="checkout-error">
          {errText(error)}
        </p>
      )}
      {tab === 'sell' && (
        <div className="counter">
          <section className="basket" aria-label={t('checkout.basket')}>
            <h2>{t('checkout.basket')}</h2>
            <ul className="list" data-testid="basket">
              {items.map((i) => {
                const d = drugs.find((x) => x.listCode === i.listCode)!;
                return (
                  <li key={i.listCode}>
                    {d.name} {d.spec}
                    {d.prescription && <span className="tag"> {t('checkout.rx')}</span>} · {yuan(d.price)} ×{' '}
                    <button type="button" aria-label={`${t('checkout.less')} ${d.name}`} onClick={() => setBasket((b) => ({ ...b, [i.listCode]: Math.max(0, (b[i.listCode] ?? 0) - 1) }))}>
                      −
                    </button>{' '}
                    {i.quantity}{' '}
                    <button type="button" aria-label={`${t('checkout.more')} ${d.name}`} onClick={() => setBasket((b) => ({ ...b, [i.listCode]: (b[i.listCode] ?? 0) + 1 }))}>
                      +
                    </button>
                  </li>
                );
              })}
            </ul>
            <p className="big-number" data-testid="basket-total">
              {t('checkout.total')}: {yuan(total)}
            </p>
            <details>
              <summary>{t('checkout.pick')}</summary>
              <div className="tiles">
                {drugs.map((d) => (
                  <button key={d.listCode} type="button" className="tile" onClick={() => setBasket((b) => ({ ...b, [d.listCode]: (b[d.listCode] ?? 0) + 1 }))}>
                    {d.name} {yuan(d.price)}
                    {d.prescription ? ` (${t('checkout.rx')})` : ''}
                  </button>
                ))}
              </div>
            </details>
          </section>
          <section className="customer" aria-label={t('checkout.customer')}>
            <h2>{t('checkout.customer')}</h2>
            {customer ? (
              <p data-testid="customer">
                {customer.maskedName} · {customer.maskedNo} · {t(`home.provenBy.${customer.provenBy}`)}
              </p>
            ) : (
              <p>{t('checkout.identify')}</p>
            )}
            {!customer && !facePay && (
              <div className="actions">
                <input aria-label={t('checkout.factor')} inputMode="numeric" maxLength={4} value={factor} onChange={(e) => setFactor(e.target.value.replace(/\D/g, '').slice(0, 4))} placeholder={t('checkout.factor')} />
                <button type="button" disabled={factor.length !== 4} onClick={() => setFacePay(factor)}>
                  {t('checkout.facePay')}
                </button>
              </div>
            )}
            {facePay && (
              <FaceCapture
                purpose="pay"
                factor={facePay}
                onFinished={(o) => {
                  setFacePay(null);
                  setFactor('');
                  if (!(o.state === 'done' && o.match)) setError(o.state === 'done' ? 'FACE_NOT_RECOGNISED' : (o.error ?? 'FACE_FAILED'));
                }}
              />
            )}
            {customer && enrolled && (
              <p role="status" className="ok-text" data-testid="face-enrolled">
                {t('checkout.faceEnrolled')}
              </p>
            )}
            {customer && !enrol && !enrolled && (
              <button type="button" onClick={() => setEnrol('consent')}>
                {t('checkout.enrolFace')}
              </button>
            )}
            {enrol === 'consent' && (
              <div className="consent-text" data-testid="counter-consent">
                <p>{t('face.consentText').split('\n')[0]}</p>
                <input aria-label={t('checkout.factor')} inputMode="numeric" maxLength={4} value={factor} onChange={(e) => setFactor(e.target.value.replace(/\D/g, '').slice(0, 4))} placeholder={t('checkout.factor')} />
                <button
                  type="button"
                  className="primary"
                  disabled={factor.length !== 4}
                  onClick={() => void run(async () => (await bridge.call('face.consent', { purpose: 'payment', accept: true, factor }), setEnrol('capture')))}
                >
                  {t('face.agree')}
                </button>
                <button type="button" onClick={() => setEnrol(null)}>
                  {t('face.disagree')}
                </button>
              </div>
            )}
            {enrol === 'capture' && (
              <FaceCapture
                purpose="enrol"
                onFinished={(o) => {
                  setEnrol(null);
                  setFactor('');
                  if (o.state === 'done' && o.enrolled) setEnrolled(true);
                  else setError(o.error ?? 'FACE_FAILED');
                }}
              />
            )}
            <label className="check">
              <input type="checkbox" checked={useAccount} onChange={(e) => setUseAccount(e.target.checked)} /> {t('checkout.useAccount')}
            </label>
            {needsRx && (
              <fieldset className="rx" data-testid="prescription">
                <legend>{t('checkout.rxTitle')}</legend>
                {(['rxno', 'doctorName', 'doctorCode'] as const).map((k) => (
                  <label key={k} className="field">
                    {t(`checkout.rxField.${k}`)}
                    <input value={rx[k]} maxLength={k === 'doctorName' ? 50 : 30} onChange={(e) => setRx((r) => ({ ...r, [k]: e.target.value }))} />
                  </label>
                ))}
                <label className="check">
                  <input type="checkbox" checked={rx.external} onChange={(e) => setRx((r) => ({ ...r, external: e.target.checked }))} /> {t('checkout.rxField.external')}
                </label>
                {!rxComplete && <p className="hint">{t('checkout.rxNeeded')}</p>}
              </fieldset>
            )}
            <div className="actions">
              <button type="button" className="primary" disabled={busy || !customer || !items.length || (needsRx && !rxComplete)} onClick={() => void run(async () => setQuote(await bridge.call('checkout.quote', order)))}>
                {t('checkout.quote')}
              </button>
            </div>
            {quote && (
              <div data-testid="quote" data-mode={quote.mode}>
                {quote.mode === 'offline' && (
                  <p className="error-text" role="status">
                    {t('checkout.offline')}
                  </p>
                )}
                <dl className="rows">
                  <div className="row"><dt>{t('fields.total')}</dt><dd>{yuan(quote.split.medfee)}</dd></div>
                  <div className="row"><dt>{t('fields.fund')}</dt><dd data-testid="quote-fund">{yuan(quote.split.fund)}</dd></div>
                  <div className="row"><dt>{t('fields.account')}</dt><dd data-testid="quote-account">{yuan(quote.split.acct + quote.split.mulaid)}</dd></div>
                  <div className="row"><dt>{t('fields.cash')}</dt><dd data-testid="quote-cash">{yuan(quote.split.cash)}</dd></div>
                </dl>
                <button type="button" className="primary" disabled={busy} onClick={() => void run(async () => setSale(await bridge.call('checkout.pay', order)))}>
                  {t('checkout.confirm')}
                </button>
              </div>
            )}
            {sale && (
              <div data-testid="sale" data-state={sale.state} data-offline={sale.offline}>
                <p className={sale.state === 'done' ? 'ok-text big' : 'error-text big'}>
                  {sale.state === 'done' ? t('checkout.settled', { setl: sale.setlId }) : sale.offline ? t('checkout.pendingOffline') : t('checkout.stateIs', { state: t(`queue.${sale.state}`, { defaultValue: sale.state }) })}
                </p>
                <p>{t('checkout.collectCash', { cash: yuan(sale.cashCollected) })}</p>
                <button type="button" onClick={newSale}>
                  {t('checkout.next')}
                </button>
              </div>
            )}
          </section>
        </div>
      )}
      {tab === 'sales' && <SalesTab />}
      {tab === 'queue' && <QueueTab />}
      {tab === 'shift' && <ShiftTab />}
    </main>
  );
}

function SalesTab() {
  const { t } = useTranslation();
  const bridge = getBridge();
  const [sales, setSales] = useState<RequestOutput<'checkout.sales'>['sales']>([]);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const load = useCallback(() => void bridge.call('checkout.sales', {}).then((r) => setSales(r.sales)), [bridge]);
  useEffect(load, [load]);
  const refunded = new Set(sales.filter((s) => s.kind === 'refund' && s.state !== 'failed-business').map((s) => s.refundOf));
  return (
    <section data-testid="sales">
      {msg && <p role="status" className="ok-text">{msg}</p>}
      <ul className="list">
        {sales.map((s) => (
          <li key={s.itemId} data-testid={`sale-${s.itemId}`}>
            {s.at.slice(11, 19)} · {t(`checkout.kind.${s.kind}`)} · {yuan(s.total)} · {t(`queue.${s.state}`, { defaultValue: s.state })} {s.setlId ? `· ${s.setlId}` : ''}{' '}
            {s.kind === 'sale' && s.state === 'done' && !refunded.has(s.itemId) && (
              confirm === s.itemId ? (
                <button
                  type="button"
                  className="primary"
                  onClick={() =>
                    void bridge.call('checkout.refund', { itemId: s.itemId }).then((r) => {
                      setConfirm(null);
                      setMsg(r.state === 'done' ? t('checkout.refunded') : t('checkout.stateIs', { state: r.state }));
                      load();
                    })
                  }
                >
                  {t('checkout.confirmRefund')}
                </button>
              ) : (
                <button type="button" onClick={() => setConfirm(s.itemId)}>
                  {t('checkout.refund')}
                </button>
              )
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function QueueTab() {
  const { t } = useTranslation();
  const bridge = getBridge();
  const [q, setQ] = useState<RequestOutput<'checkout.queue'> | null>(null);
  const load = useCallback(() => void bridge.call('checkout.queue', {}).then(setQ), [bridge]);
  useEffect(() => {
    load();
    return bridge.on('status.queue', load);
  }, [bridge, load]);
  return (
    <section data-testid="queue">
      <p data-testid="queue-counts">{t('queue.counts', { pending: q?.pending ?? 0, unknown: q?.unknown ?? 0, attention: q?.needsAttention ?? 0 })}</p>
      <button type="button" onClick={() => void bridge.call('checkout.drain', {}).then(load)}>
        {t('queue.drain')}
      </button>
      <ul className="list">
        {(q?.attention ?? []).map((a) => (
          <li key={a.itemId}>
            {t(`queue.${a.state}`)} · {a.reason} {a.collect !== null ? `· ${t('queue.collect', { amount: yuan(a.collect) })}` : ''}{' '}
            {a.state === 'needs-attention' && (
              <button type="button" onClick={() => void bridge.call('checkout.resolve', { itemId: a.itemId, note: 'collected at counter' }).then(load)}>
                {t('queue.resolve')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ShiftTab() {
  const { t } = useTranslation();
  const bridge = getBridge();
  const [shift, setShift] = useState<RequestOutput<'checkout.shift'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void bridge.call('checkout.shift', { action: 'status' }).then(setShift), [bridge]);
  const act = (action: 'open' | 'close') =>
    void bridge
      .call('checkout.shift', { action })
      .then((r) => (setShift(r), setError(null)))
      .catch((e: unknown) => setError(codeOf(e)));
  return (
    <section data-testid="shift">
      <p>{shift?.open ? t('shift.openSince', { at: shift.openedAt?.slice(11, 19) }) : t('shift.closed')}</p>
      {error && <p role="alert" className="error-text">{t(`errors.${error}`, { defaultValue: error })}</p>}
      {shift && (shift.open ? (
        <button type="button" className="primary" onClick={() => act('close')} data-testid="shift-close">
          {t('shift.close')}
        </button>
      ) : (
        <button type="button" className="primary" onClick={() => act('open')} data-testid="shift-open">
          {t('shift.open')}
        </button>
      ))}
      {shift?.report && (
        <dl className="rows" data-testid="shift-report">
          <div className="row"><dt>{t('shift.count')}</dt><dd>{shift.report.count}</dd></div>
          <div className="row"><dt>{t('fields.total')}</dt><dd>{yuan(shift.report.medfee)}</dd></div>
          <div className="row"><dt>{t('fields.fund')}</dt><dd>{yuan(shift.report.fund)}</dd></div>
          <div className="row"><dt>{t('fields.account')}</dt><dd>{yuan(shift.report.account)}</dd></div>
          <div className="row"><dt>{t('fields.cash')}</dt><dd>{yuan(shift.report.cash)}</dd></div>
        </dl>
      )}
    </section>
  );
}
