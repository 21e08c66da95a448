import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { codeOf } from '../../face/FaceCapture';
import { ServiceFrame, type ServiceProps } from './common';
import { formatMoney } from '../../../../main/bridge/contract';
import { usePremiumOrder } from './usePremiumOrder';
import { QrCode } from '../QrCode';

/** 居民医保缴费: an order shown as a QR code to pay with a phone; the screen polls until paid. */
export function PremiumService({ onBack, say }: ServiceProps) {
  const { t } = useTranslation();
  const { order, show } = usePremiumOrder();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (order?.state === 'paid') say(t('premium.paid'));
    else if (order?.state === 'unpaid') say(t('premium.scan'));
  }, [order?.state, say, t]);
  const create = () => {
    setBusy(true);
    setError(null);
    void getBridge()
      .call('kiosk.premiumOrder', {})
      .then(show)
      .catch((e: unknown) => setError(codeOf(e)))
      .finally(() => setBusy(false));
  };
  return (
    <ServiceFrame title={t('services.premium')} onBack={onBack} testId="service-premium">
      {!order && (
        <>
          <p>{t('premium.about')}</p>
          <button type="button" className="primary" disabled={busy} onClick={create}>
            {t('premium.create')}
          </button>
        </>
      )}
      {error && (
        <p role="alert" className="error-text big">
          {t(`errors.${error}`, { defaultValue: t('errors.fallback', { code: error }) })}
        </p>
      )}
      {order && (
        <div className="premium" data-testid="premium-order" data-state={order.state}>
          <p className="big-number">{t('premium.amount', { amount: formatMoney(order.amount) })}</p>
          {order.state === 'unpaid' && (
            <>
              <QrCode text={order.payUrl} label={t('premium.qrLabel')} />
              <p role="status">{t('premium.scan')}</p>
              <p className="hint">{t('premium.expires', { time: order.expireTime.slice(11, 16) })}</p>
            </>
          )}
          {order.state === 'paid' && (
            <p role="status" className="ok-text big">
              {t('premium.paid')}
            </p>
          )}
          {order.state === 'expired' && (
            <>
              <p role="alert" className="error-text big">
                {t('premium.expired')}
              </p>
              <button type="button" className="primary" onClick={create}>
                {t('premium.create')}
              </button>
            </>
          )}
        </div>
      )}
    </ServiceFrame>
  );
}
