import { useState } from 'react';
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

  return (
    <>
      <h2>{t('checkout.customer')}</h2>
      {customer ? (
        <p data-testid="customer" className="customer-id">
          <span>{customer.maskedName}</span> · <span>{customer.maskedNo}</span> · <span>{t(`home.provenBy.${customer.provenBy}`)}</span>
        </p>
      ) : (
        <p>{t('checkout.identify')}</p>
      )}
      {!customer && !facePay && (
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
      {customer && !enrol && !enrolled && (
        <button type="button" onClick={() => setEnrol('consent')}>
          {t('checkout.enrolFace')}
        </button>
      )}
      {enrol === 'consent' && (
        <div className="consent-text" data-testid="counter-consent">
          <p>{t('face.consentText').split('\n')[0]}</p>
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
          onFinished={(o) => {
            setEnrol(null);
            setFactor('');
            if (o.state === 'done' && o.enrolled) setEnrolledFor(sale.person);
            else onError(o.error ?? 'FACE_FAILED');
          }}
        />
      )}
    </>
  );
}
