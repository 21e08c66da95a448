import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../bridge';
import { FaceCapture } from '../face/FaceCapture';
import type { RunAction } from './common';
import type { CounterSale } from './useCounterSale';

const fourDigits = (text: string) => text.replace(/\D/g, '').slice(0, 4);

/** The second factor for face payment and face enrolment: the last four digits of the phone. */
function FactorInput({ value, onChange }: { value: string; onChange: (digits: string) => void }) {
  const { t } = useTranslation();
  return (
    <input
      aria-label={t('checkout.factor')}
      inputMode="numeric"
      maxLength={4}
      value={value}
      onChange={(e) => onChange(fourDigits(e.target.value))}
      placeholder={t('checkout.factor')}
    />
  );
}

/**
 * Who is paying: main identifies the customer from a card, the e-voucher or their face (with the
 * last four phone digits); an identified customer may turn on face payment, with separate consent.
 */
export function CustomerPanel({ sale, run, onError }: { sale: CounterSale; run: RunAction; onError: (code: string) => void }) {
  const { t } = useTranslation();
  const bridge = getBridge();
  const { customer } = sale;
  const [facePay, setFacePay] = useState<string | null>(null);
  const [factor, setFactor] = useState('');
  const [enrol, setEnrol] = useState<'consent' | 'capture' | null>(null);
  const [enrolledFor, setEnrolledFor] = useState<string | null>(null);
  const enrolled = enrolledFor !== null && enrolledFor === sale.person;
  // What main says about this customer's face payment: on or not, and which chain an enrolment is shared with.
  const [status, setStatus] = useState<{ for: string | null; enabled: boolean; enrolled: boolean; sharing: { chain: string; name: string } | null } | null>(
    null,
  );
  const [withdraw, setWithdraw] = useState<'ask' | 'done' | null>(null);
  const [statusTick, setStatusTick] = useState(0);
  // A withdrawal's notice belongs to the customer who gave it.
  useEffect(() => setWithdraw(null), [sale.person]);
  useEffect(() => {
    let live = true;
    bridge
      .call('face.status', {})
      .then((s) => live && setStatus({ for: sale.person, enabled: s.enabled, enrolled: s.enrolled, sharing: s.sharing }))
      .catch(() => live && setStatus(null));
    return () => {
      live = false;
    };
  }, [bridge, sale.person, statusTick]);
  const current = status && status.for === sale.person ? status : null;
  const sharing = current?.sharing ?? null;
  const hasFace = Boolean(customer && current?.enrolled);
  // Face payment is offered only where main runs face recognition (face.enabled): no button that can only fail.
  const faceOn = current?.enabled === true;

  return (
    <>
      <h2 data-testid="customer-panel" data-face={current ? (current.enabled ? 'on' : 'off') : 'unknown'}>
        {t('checkout.customer')}
      </h2>
      {customer ? (
        <p data-testid="customer" className="customer-id">
          <span>{customer.maskedName}</span> · <span>{customer.maskedNo}</span> · <span>{t(`home.provenBy.${customer.provenBy}`)}</span>
        </p>
      ) : (
        <p className="identify-hint">{t('checkout.identify')}</p>
      )}
      {!customer && !facePay && faceOn && (
        <div className="actions">
          <FactorInput value={factor} onChange={setFactor} />
          <button type="button" disabled={factor.length !== 4} onClick={() => setFacePay(factor)}>
            {t('checkout.facePay')}
          </button>
        </div>
      )}
      {facePay && (
        <FaceCapture
          purpose="pay"
          factor={facePay}
          actions={
            <button type="button" data-testid="face-cancel" onClick={() => setFacePay(null)}>
              {t('common.cancel')}
            </button>
          }
          onFinished={(o) => {
            setFacePay(null);
            setFactor('');
            if (!(o.state === 'done' && o.match)) onError(o.state === 'done' ? 'FACE_NOT_RECOGNISED' : (o.error ?? 'FACE_FAILED'));
          }}
        />
      )}
      {customer && enrolled && (
        <p role="status" className="ok-text" data-testid="face-enrolled">
          {t('checkout.faceEnrolled')}
        </p>
      )}
      {withdraw === 'done' && (
        <p role="status" className="ok-text" data-testid="face-withdrawn">
          {sharing ? t('checkout.faceWithdrawnChain', { name: sharing.name }) : t('checkout.faceWithdrawn')}
        </p>
      )}
      {customer && faceOn && !enrol && !enrolled && !hasFace && (
        <button type="button" onClick={() => setEnrol('consent')}>
          {t('checkout.enrolFace')}
        </button>
      )}
      {hasFace && !enrol && withdraw === null && (
        <button type="button" data-testid="face-withdraw" onClick={() => setWithdraw('ask')}>
          {t('checkout.faceWithdraw')}
        </button>
      )}
      {hasFace && withdraw === 'ask' && (
        <div className="consent-text" role="group" aria-label={t('checkout.faceWithdraw')} data-testid="face-withdraw-confirm">
          <p>{sharing ? t('checkout.faceWithdrawAskChain', { name: sharing.name }) : t('checkout.faceWithdrawAsk')}</p>
          <button
            type="button"
            className="primary"
            onClick={() =>
              void run(async () => {
                await bridge.call('face.delete', {});
                setEnrolledFor(null);
                setStatusTick((n) => n + 1);
                setWithdraw('done');
              })
            }
          >
            {t('checkout.faceWithdrawYes')}
          </button>
          <button type="button" onClick={() => setWithdraw(null)}>
            {t('face.disagree')}
          </button>
        </div>
      )}
      {enrol === 'consent' && (
        <div className="consent-text" data-testid="counter-consent">
          <p>{sharing ? t('checkout.faceConsentChain', { name: sharing.name }) : t('checkout.faceConsent')}</p>
          <FactorInput value={factor} onChange={setFactor} />
          <button
            type="button"
            className="primary"
            disabled={factor.length !== 4}
            onClick={() =>
              void run(async () => {
                await bridge.call('face.consent', { purpose: 'payment', accept: true, factor });
                setEnrol('capture');
              })
            }
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
          actions={
            <button type="button" data-testid="face-cancel" onClick={() => setEnrol(null)}>
              {t('common.cancel')}
            </button>
          }
          onFinished={(o) => {
            setEnrol(null);
            setFactor('');
            if (o.state === 'done' && o.enrolled) {
              setEnrolledFor(sale.person);
              setStatusTick((n) => n + 1);
            } else onError(o.error ?? 'FACE_FAILED');
          }}
        />
      )}
    </>
  );
}
